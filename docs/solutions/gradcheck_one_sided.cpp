// docs/solutions/gradcheck_one_sided.cpp — chapter 7, exercise 2: one-sided vs central differences as h shrinks.
// For f = tanh at x = 0.7, halving h halves the one-sided error (order h) and quarters the central error (order h²).
#include <cmath>
#include <cstdio>

int main() {
    const double x = 0.7, exact = 1 - std::tanh(x) * std::tanh(x);
    double prev_one = 0, prev_central = 0;
    bool ok = true;
    std::printf("h         one-sided   central     ratios when h halves\n");
    for (double h = 1e-2; h > 1e-3; h /= 2) {
        const double one = std::fabs((std::tanh(x + h) - std::tanh(x)) / h - exact);
        const double central = std::fabs((std::tanh(x + h) - std::tanh(x - h)) / (2 * h) - exact);
        if (prev_one > 0) {
            const double r1 = prev_one / one, r2 = prev_central / central;
            std::printf("%.2e  %.3e   %.3e   %.2f  %.2f\n", h, one, central, r1, r2);
            ok = ok && std::fabs(r1 - 2) < 0.1 && std::fabs(r2 - 4) < 0.2;   // order h, order h²
        } else {
            std::printf("%.2e  %.3e   %.3e\n", h, one, central);
        }
        prev_one = one;
        prev_central = central;
    }
    return ok ? 0 : 1;
}
