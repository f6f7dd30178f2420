// docs/solutions/vjp_l2_normalize.cpp — chapter 5, exercise 1: the VJP of row-wise L2 normalisation y = x / ‖x‖.
// Derived: ∂y_i/∂x_j = (δ_ij − y_i·y_j) / ‖x‖, so dx = (dy − y·(y·dy)) / ‖x‖; checked by central differences.
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

using Row = std::vector<double>;

Row normalise(const Row& x) {
    double n2 = 0;
    for (double v : x) n2 += v * v;
    Row y;
    for (double v : x) y.push_back(v / std::sqrt(n2));
    return y;
}

// The VJP: dx_j = Σ_i dy_i (δ_ij − y_i y_j) / ‖x‖ = (dy_j − y_j Σ_i y_i dy_i) / ‖x‖. No Jacobian is built.
Row normalise_backward(const Row& x, const Row& dy) {
    double n2 = 0, dot = 0;
    for (double v : x) n2 += v * v;
    const Row y = normalise(x);
    for (std::size_t i = 0; i < y.size(); ++i) dot += y[i] * dy[i];
    Row dx;
    for (std::size_t j = 0; j < y.size(); ++j) dx.push_back((dy[j] - y[j] * dot) / std::sqrt(n2));
    return dx;
}

int main() {
    std::mt19937_64 rng(12);
    std::uniform_real_distribution<double> uniform(-2.0, 2.0);
    double worst = 0;
    for (int row = 0; row < 3; ++row) {
        Row x(6), u(6);
        for (double& v : x) v = uniform(rng);
        for (double& v : u) v = uniform(rng);   // the seed: s(x) = Σ u ⊙ normalise(x)
        const Row dx = normalise_backward(x, u);
        for (std::size_t j = 0; j < x.size(); ++j) {
            const double h = 1e-5;
            Row up = x, down = x;
            up[j] += h;
            down[j] -= h;
            double s_up = 0, s_down = 0;
            const Row y_up = normalise(up), y_down = normalise(down);
            for (std::size_t i = 0; i < x.size(); ++i) s_up += u[i] * y_up[i], s_down += u[i] * y_down[i];
            const double fd = (s_up - s_down) / (2 * h);
            worst = std::fmax(worst, std::fabs(dx[j] - fd) / std::fmax(std::fabs(fd), 1e-8));
        }
    }
    // A seed along y itself must give dx = 0: stretching x does not change x / ‖x‖.
    const Row x = {3.0, -4.0, 12.0};
    const Row dx_radial = normalise_backward(x, normalise(x));
    double radial = 0;
    for (double v : dx_radial) radial = std::fmax(radial, std::fabs(v));
    std::printf("largest relative gap to finite differences: %.1e\n", worst);
    std::printf("seed along y gives |dx| <= %.1e\n", radial);
    const bool ok = worst < 1e-7 && radial < 1e-15;
    std::printf("%s\n", ok ? "the derived VJP is right" : "WRONG");
    return ok ? 0 : 1;
}
