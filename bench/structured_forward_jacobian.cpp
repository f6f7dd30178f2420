// bench/structured_forward_jacobian.cpp — the structured forward mode of its header, on the engine's own tape.
// Not a library method: it knows the net is relu(x·W1 + b1)·W2 + b2; the generic one is sensitivity::maps::jacobian_forward.
#include "bench/structured_forward_jacobian.hpp"

#include <algorithm>
#include <stdexcept>

#include <xtensor-blas/xlinalg.hpp>

#include "nn/chunks.hpp"
#include "nn/tape.hpp"

namespace bench {

xt::xtensor<float, 3> structured_forward_jacobian(const nn::Tensor<float>& W1, const nn::Tensor<float>& b1,
                                                  const nn::Tensor<float>& W2, const nn::Tensor<float>& b2,
                                                  const nn::Tensor<float>& X, std::size_t chunk) {
    const std::size_t N = X.shape(0), D = W1.shape(0), H = W1.shape(1), C = W2.shape(1);
    if (X.shape(1) != D || b1.shape(1) != H || W2.shape(0) != H || b2.shape(1) != C)
        throw std::invalid_argument("structured_forward_jacobian: shapes of X, W1, b1, W2, b2 do not chain");
    xt::xtensor<float, 3> J({N, C, D});                             // [N, C, D]
    nn::Tape<float> tape;
    const nn::Var w2 = tape.leaf(W2, false), bias2 = tape.leaf(b2, false);   // constants: no tangent, no gradient
    const std::size_t mark = tape.mark();
    nn::Tensor<float> xb;                                           // [B, D]
    nn::for_each_chunk(N, chunk, "structured_forward_jacobian", [&](std::size_t row0, std::size_t B) {
        tape.rewind(mark);
        tape.clear_tangents();
        nn::reshape_to(xb, B, D);
        std::copy(X.data() + row0 * D, X.data() + (row0 + B) * D, xb.data());
        const nn::Var z1 = tape.leaf(B, H, false);                  // [B, H] = X·W1 + b1, filled in place
        nn::Tensor<float>& z = tape.value(z1);
        xt::blas::gemm(xb, W1, z, false, false);
        for (std::size_t n = 0; n < B; ++n)
            for (std::size_t u = 0; u < H; ++u) z(n, u) += b1(0, u);
        const nn::Var p = tape.softmax(tape.add_bias(tape.matmul(tape.relu(z1), w2), bias2));   // [B, C]
        nn::Tensor<float>& dz = tape.seed_tangent(z1, D);           // [D·B, H]: ∂z1/∂x_j = W1's row j, every image
        for (std::size_t j = 0; j < D; ++j)
            for (std::size_t n = 0; n < B; ++n) std::copy(&W1(j, 0), &W1(j, 0) + H, &dz(j * B + n, 0));
        tape.forward_tangents(p);
        const nn::Tensor<float>& dp = tape.tangent(p);              // [D·B, C]: block j = ∂p/∂x_j
        for (std::size_t j = 0; j < D; ++j)
            for (std::size_t n = 0; n < B; ++n)
                for (std::size_t i = 0; i < C; ++i) J(row0 + n, i, j) = dp(j * B + n, i);
    });
    return J;
}

}  // namespace bench
