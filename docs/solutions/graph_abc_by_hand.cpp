// docs/solutions/graph_abc_by_hand.cpp — chapter 2, exercise 1: the adjoints of g = a·b + c and of h = a·b + a by hand.
// The reverse walk written out edge by edge, checked against central finite differences.
#include <cmath>
#include <cstdio>

double g(double a, double b, double c) { return a * b + c; }
double h(double a, double b) { return a * b + a; }

int main() {
    const double a = 2, b = -3, c = 10, step = 1e-5;
    int failures = 0;
    const auto expect = [&](const char* what, double walk, double fd) {
        const bool ok = std::fabs(walk - fd) < 1e-8;
        std::printf("%-8s reverse %+.6f   finite diff %+.6f   %s\n", what, walk, fd, ok ? "ok" : "WRONG");
        failures += !ok;
    };

    // g: nodes m = a·b, g = m + c. Seed g_bar = 1.
    double g_bar = 1, m_bar = 0, a_bar = 0, b_bar = 0, c_bar = 0;
    m_bar += g_bar * 1;   // g = m + c: ∂g/∂m = 1
    c_bar += g_bar * 1;   //            ∂g/∂c = 1
    a_bar += m_bar * b;   // m = a·b:   ∂m/∂a = b
    b_bar += m_bar * a;   //            ∂m/∂b = a
    expect("dg/da", a_bar, (g(a + step, b, c) - g(a - step, b, c)) / (2 * step));
    expect("dg/db", b_bar, (g(a, b + step, c) - g(a, b - step, c)) / (2 * step));
    expect("dg/dc", c_bar, (g(a, b, c + step) - g(a, b, c - step)) / (2 * step));

    // h: a fans out into m = a·b and into the sum; its adjoint is the sum of both paths: b + 1.
    double h_bar = 1, n_bar = 0, ha_bar = 0, hb_bar = 0;
    n_bar += h_bar * 1;   // h = n + a: ∂h/∂n = 1
    ha_bar += h_bar * 1;  //            ∂h/∂a = 1  (first path to a)
    ha_bar += n_bar * b;  // n = a·b:   ∂n/∂a = b  (second path to a: add)
    hb_bar += n_bar * a;
    expect("dh/da", ha_bar, (h(a + step, b) - h(a - step, b)) / (2 * step));
    expect("dh/db", hb_bar, (h(a, b + step) - h(a, b - step)) / (2 * step));
    return failures;
}
