// docs/solutions/draw_follow_the_red.cpp — chapter 14, exercise 1: do what the red/blue map says, on the trained model.
// From test 4s the network calls 4, steps along ∂(p_9 − p_4)/∂x — the red of the (9, 4) map — until it says 9.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "datasets/dataset.hpp"
#include "nn/argmax.hpp"
#include "nn/mlp.hpp"
#include "nn/training/model_io.hpp"
#include "sensitivity/maps/jacobian.hpp"

namespace {
std::string env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}
}  // namespace

int main() {
    nn::MLP<float> model = nn::training::load_model(env_or("NNSENSE_MODEL", "tests/fixtures/trained_mlp_784_64_10"));
    const datasets::Split mnist = datasets::load_mnist(env_or("NNSENSE_MNIST", "data/mnist"), {false, true});
    const int a = 9, b = 4;                                       // push a 4 towards 9: close its top
    const float eta = 0.05f;                                      // the largest change of one pixel in one step
    int tried = 0, turned = 0, most_steps = 0;
    for (std::size_t n = 0; n < mnist.test.size() && tried < 5; ++n) {
        if (mnist.test.labels[n] != b) continue;
        nn::Tensor<float> x = mnist.test.to_float<float>(n, 1);  // [1, 784]
        if (nn::argmax_rows(nn::predict(model, x))[0] != b) continue;
        ++tried;
        const double pa_first = nn::predict(model, x)(0, a);
        int steps = 0;
        while (nn::argmax_rows(nn::predict(model, x))[0] != a && steps < 200) {
            const nn::Tensor<float> d = sensitivity::maps::class_difference_gradient(model, x, a, b);  // [1, 784]
            float norm = 0;                                       // ∂(p_a − p_b)/∂x: red where ink helps a
            for (float v : d) norm = std::max(norm, std::abs(v));
            if (norm == 0) break;
            for (std::size_t j = 0; j < 784; ++j) x(0, j) = std::clamp(x(0, j) + eta * d(0, j) / norm, 0.0f, 1.0f);
            ++steps;
        }
        const bool now_a = nn::argmax_rows(nn::predict(model, x))[0] == a;
        std::printf("test image %zu: p_%d %.4f -> %.4f after %d steps, says %s\n", n, a, pa_first,
                    nn::predict(model, x)(0, a), steps, now_a ? "9" : "still not 9");
        if (now_a) ++turned, most_steps = std::max(most_steps, steps);
    }
    const bool ok = tried == 5 && turned == 5;
    std::printf("%s: following the red of d(p_%d - p_%d)/dx turned %d of %d test 4s into 9s (at most %d steps)\n",
                ok ? "OK" : "NOT OK", a, b, turned, tried, most_steps);
    return ok ? 0 : 1;
}
