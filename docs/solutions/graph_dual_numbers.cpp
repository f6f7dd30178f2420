// docs/solutions/graph_dual_numbers.cpp — chapter 2, exercise 2: forward mode with dual numbers.
// A dual number carries a value and its derivative along one direction; one forward pass per input direction.
#include <cmath>
#include <cstdio>

// v + d·ε with ε² = 0: `d` is the directional derivative of `v` along the seed direction.
struct Dual {
    double v, d;
};
Dual operator+(Dual a, Dual b) { return {a.v + b.v, a.d + b.d}; }
Dual operator*(Dual a, Dual b) { return {a.v * b.v, a.d * b.v + a.v * b.d}; }  // product rule
Dual tanh(Dual a) {
    const double t = std::tanh(a.v);
    return {t, (1 - t * t) * a.d};                                              // chain rule
}

// Chapter 2's f, written once for doubles and duals.
template <class N>
N f(N x, N y) {
    using std::tanh;
    return (x * y + tanh(x)) * y;
}

int main() {
    const double x = 0.5, y = 2.0;
    // Seed (ẋ, ẏ) = (1, 0): one pass gives ∂f/∂x. Seed (0, 1): a second pass gives ∂f/∂y.
    const Dual fx = f(Dual{x, 1}, Dual{y, 0});
    const Dual fy = f(Dual{x, 0}, Dual{y, 1});
    // Any direction (u, w) gives u·∂f/∂x + w·∂f/∂y in one pass: a directional derivative (a JVP, chapter 8).
    const Dual fd = f(Dual{x, 3}, Dual{y, -1});
    const double t = std::tanh(x);
    const double dfdx = y * y + y * (1 - t * t), dfdy = 2 * x * y + t;   // calculus, as in the chapter
    std::printf("f = %.10f\n", fx.v);
    std::printf("df/dx: dual %.10f  calculus %.10f\n", fx.d, dfdx);
    std::printf("df/dy: dual %.10f  calculus %.10f\n", fy.d, dfdy);
    std::printf("3 df/dx - df/dy: dual %.10f  calculus %.10f\n", fd.d, 3 * dfdx - dfdy);
    const bool ok = std::fabs(fx.v - f(x, y)) < 1e-15 && std::fabs(fx.d - dfdx) < 1e-12 &&
                    std::fabs(fy.d - dfdy) < 1e-12 && std::fabs(fd.d - (3 * dfdx - dfdy)) < 1e-12;
    std::printf("%s\n", ok ? "forward mode agrees with the reverse walk" : "WRONG");
    return ok ? 0 : 1;
}
