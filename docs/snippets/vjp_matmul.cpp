// docs/snippets/vjp_matmul.cpp — chapter 5: matmul's backward from index notation, checked against the tape.
// dA[i,k] = Σ_j dY[i,j]·B[k,j] and dB[k,j] = Σ_i A[i,k]·dY[i,j], as plain loops; the tape uses BLAS.
#include <cmath>
#include <cstdio>
#include <random>

#include "nn/tape.hpp"

using Matrix = nn::Tensor<double>;

Matrix random_matrix(std::size_t rows, std::size_t cols, std::mt19937_64& rng) {
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    Matrix m({rows, cols});
    for (double& v : m) v = uniform(rng);
    return m;
}

double max_gap(const Matrix& a, const Matrix& b) {
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::fmax(worst, std::fabs(a.data()[i] - b.data()[i]));
    return worst;
}

int main() {
    const std::size_t I = 4, K = 3, J = 5;
    std::mt19937_64 rng(5);
    const Matrix A = random_matrix(I, K, rng), B = random_matrix(K, J, rng);   // [I, K], [K, J]
    const Matrix dY = random_matrix(I, J, rng);                               // [I, J] the seed u

    // By hand. Y[i,j] = Σ_k A[i,k]·B[k,j], so ∂Y[i,j]/∂A[p,q] = δ_ip·B[q,j] and
    // dA[p,q] = Σ_ij dY[i,j]·δ_ip·B[q,j] = Σ_j dY[p,j]·B[q,j]: the matrix dY·Bᵀ. Likewise dB = Aᵀ·dY.
    Matrix dA({I, K}, 0.0), dB({K, J}, 0.0);
    for (std::size_t i = 0; i < I; ++i)
        for (std::size_t k = 0; k < K; ++k)
            for (std::size_t j = 0; j < J; ++j) {
                dA(i, k) += dY(i, j) * B(k, j);
                dB(k, j) += A(i, k) * dY(i, j);
            }

    // The tape: record Y = A·B, seed its gradient with dY, walk back.
    nn::Tape<double> tape;
    const nn::Var a = tape.leaf(A), b = tape.leaf(B);
    const nn::Var y = tape.matmul(a, b);                                      // [I, J]
    tape.backward(y, dY);
    const double gap_a = max_gap(dA, tape.grad(a)), gap_b = max_gap(dB, tape.grad(b));
    const bool ok = gap_a < 1e-14 && gap_b < 1e-14;                          // equal up to rounding
    std::printf("dA = dY·Bᵀ and dB = Aᵀ·dY by loops agree with the tape to 1e-14: %s\n", ok ? "yes" : "NO");
    return ok ? 0 : 1;
}
