// docs/snippets/tape_forward_mode.cpp — chapter 6: forward mode on the recorded tape, two directions at once.
// Seeds tangents on the input, pushes them forward (JVP), and checks <u, J v> = <Jᵀu, v> against a backward walk.
#include <cmath>
#include <cstdio>

#include "nn/tape.hpp"

using Matrix = nn::Tensor<double>;

int main() {
    nn::Tape<double> tape;
    nn::Var x = tape.leaf(Matrix{{1.0, -2.0, 0.5}, {0.0, 1.0, -1.0}});      // [2, 3] the input we perturb
    nn::Var W = tape.leaf(Matrix{{0.1, -0.2}, {0.3, 0.4}, {-0.5, 0.6}});   // [3, 2]
    nn::Var b = tape.leaf(Matrix{{0.01, -0.01}});                          // [1, 2]
    nn::Var p = tape.softmax(tape.tanh(tape.add_bias(tape.matmul(x, W), b)));   // [2, 2]

    // K = 2 directions for x, stacked: rows 0-1 are direction 0 (nudge pixel 0 of both images),
    // rows 2-3 direction 1 (nudge pixel 2). Leaves without a seed (W, b) are constants.
    Matrix& dx = tape.seed_tangent(x, 2);                                  // [2·2, 3], zeroed
    dx(0, 0) = dx(1, 0) = 1.0;
    dx(2, 2) = dx(3, 2) = 1.0;
    tape.forward_tangents(p);                                              // one forward walk, both directions
    const Matrix& dp = tape.tangent(p);                                    // [2·2, 2]: ∂p/∂x_0, then ∂p/∂x_2
    for (std::size_t r = 0; r < dp.shape(0); ++r)
        std::printf("direction %zu, image %zu: dp = % .6f % .6f\n", r / 2, r % 2, dp(r, 0), dp(r, 1));

    // The same numbers by reverse mode: the seed u picks p[1, 0]; <u, J v> must equal <Jᵀu, v>.
    tape.backward(p, Matrix{{0.0, 0.0}, {1.0, 0.0}});
    const Matrix& gx = tape.grad(x);                                       // [2, 3] = Jᵀu
    const double forward = dp(1, 0), reverse = gx(1, 0);                   // direction 0, image 1
    std::printf("dp[1,0]/dx[1,0]: forward %.12f, reverse %.12f\n", forward, reverse);
    return std::abs(forward - reverse) <= 1e-14 && std::abs(dp(0, 0) + dp(0, 1)) <= 1e-15 ? 0 : 1;
}
