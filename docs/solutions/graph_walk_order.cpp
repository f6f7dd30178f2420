// docs/solutions/graph_walk_order.cpp — chapter 2, exercise 2: why the reverse walk goes in reverse creation order.
// h(x) = (x·x + x)·x as four nodes; walked in reverse order it matches finite differences, walked out of order it does not.
#include <cmath>
#include <cstdio>

double h(double x) { return (x * x + x) * x; }

int main() {
    const double x = 1.5, step = 1e-5;
    // Nodes in creation order: s = x·x, t = s + x, y = t·x. Each adjoint must be complete before it is pushed on.
    const double s = x * x, t = s + x;
    const double fd = (h(x + step) - h(x - step)) / (2 * step);

    // Reverse creation order: y, t, s. When a node is visited, every node that uses it has already been visited.
    double y_bar = 1, t_bar = 0, s_bar = 0, x_bar = 0;
    t_bar += y_bar * x;     // y = t·x: ∂y/∂t = x
    x_bar += y_bar * t;     //          ∂y/∂x = t
    s_bar += t_bar * 1;     // t = s + x
    x_bar += t_bar * 1;
    x_bar += s_bar * 2 * x; // s = x·x: both edges to x, 2x
    const double reverse = x_bar;

    // Out of order: s is visited before t has passed its adjoint down, so s pushes on an adjoint of 0.
    double y2 = 1, t2 = 0, s2 = 0, x2 = 0;
    x2 += s2 * 2 * x;       // s first: s2 is still 0
    t2 += y2 * x;
    x2 += y2 * t;
    s2 += t2 * 1;           // too late: nobody reads s2 any more
    x2 += t2 * 1;
    const double wrong = x2;

    std::printf("dh/dx at x = %.1f: finite differences %.6f, reverse order %.6f, out of order %.6f\n", x, fd, reverse,
                wrong);
    const bool ok = std::fabs(reverse - fd) < 1e-8 && std::fabs(wrong - fd) > 1e-3;
    std::printf("%s\n", ok ? "OK: only the reverse creation order gets the derivative" : "NOT OK");
    return ok ? 0 : 1;
}
