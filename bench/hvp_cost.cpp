// bench/hvp_cost.cpp — HVP cost / gradient cost on the engine, next to the FLOP-count prediction (chapter 8).
// The gradient is the ordinary backward walk; the HVP is forward mode over the reverse sweep recorded as ops.
#include "bench/hvp_cost.hpp"

#include <algorithm>
#include <cstdio>

#include "bench/bench_util.hpp"
#include "nn/input_hvp.hpp"

namespace bench {

namespace {
// ∇ₓL the ordinary way, on a copy of the model whose weights are frozen: one forward, one backward walk.
double gradient_seconds(nn::MLP<float>& model, const nn::Tensor<float>& X, const std::vector<int>& labels) {
    const double t0 = now_seconds();
    model.reset();
    auto frozen = model.freeze();
    const nn::Var x = model.input(X.shape(0), true);
    model.tape().value(x) = X;
    model.tape().backward(model.tape().softmax_cross_entropy(model.logits(x), labels));
    volatile float sink = model.tape().grad(x)(0, 0);
    (void)sink;
    return now_seconds() - t0;
}

double hvp_seconds(const nn::MLP<float>& model, const nn::Tensor<float>& X, const std::vector<int>& labels,
                   const nn::Tensor<float>& V) {
    const double t0 = now_seconds();
    const nn::InputHvp<float> r = nn::input_hvp(model, X, labels, V);
    volatile float sink = r.hvp(0, 0);
    (void)sink;
    return now_seconds() - t0;
}
}  // namespace

void print_hvp_cost(const nn::MLP<float>& model_in, const nn::Tensor<float>& X, const std::vector<int>& labels,
                    int repeats, std::size_t K) {
    nn::MLP<float> model = model_in;                             // our own copy: its tape is ours to record on
    const std::size_t N = X.shape(0), D = model.in(), H = model.layer(0).out, C = model.out();
    nn::Tensor<float> V1 = X;                                    // [N, D]: any direction; the image itself
    nn::Tensor<float> VK({K * N, D});                            // [K·N, D]: K copies
    for (std::size_t k = 0; k < K; ++k) std::copy(X.begin(), X.end(), VK.begin() + k * N * D);
    std::vector<double> tg, t1, tk;
    for (int r = 0; r <= repeats; ++r) {                         // run 0 is the warm-up
        const double g = gradient_seconds(model, X, labels), h1 = hvp_seconds(model, X, labels, V1),
                     hk = hvp_seconds(model, X, labels, VK);
        if (r == 0) continue;
        tg.push_back(g);
        t1.push_back(h1);
        tk.push_back(hk);
    }
    // FLOP counts with frozen weights: one pass of products P = 2N(DH + HC); the gradient is 2 passes (forward,
    // backward); the HVP records the forward and the reverse as ops (2 passes) and pushes K tangents through both (2K).
    const double predicted_1 = (2.0 + 2.0) / 2.0, predicted_k = (2.0 + 2.0 * static_cast<double>(K)) / 2.0;
    std::printf("(d) second derivatives: H·v of the loss in the input, %zu images, %zu-%zu-%zu, float, median of %d\n", N,
                D, H, C, repeats);
    std::printf("    gradient (forward + backward)        %9.4f s\n", median(tg));
    std::printf("    HVP, 1 direction                      %9.4f s   HVP / gradient = %.2f   (FLOP-count prediction %.1f)\n",
                median(t1), median(t1) / median(tg), predicted_1);
    std::printf("    HVP, %zu directions at once            %9.4f s   HVP / gradient = %.2f   (FLOP-count prediction %.1f; "
                "%.2f per direction)\n",
                K, median(tk), median(tk) / median(tg), predicted_k, median(tk) / median(tg) / static_cast<double>(K));
}

}  // namespace bench
