// sensitivity/maps/occlusion.cpp — build every patched copy of a chunk of images, run one forward, spread the drops over pixels.
// No tape walk backward here: occlusion is the gradient-free reference the other maps are compared with.
#include "sensitivity/maps/occlusion.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "nn/chunks.hpp"

namespace sensitivity::maps {

template <class T>
double score_drop(const T* l, const T* l_occluded, std::size_t C, std::size_t t, Output out) {
    if (out == Output::Logits) return static_cast<double>(l[t]) - static_cast<double>(l_occluded[t]);
    // p_t = 1 / (1 + a) with a = Σ_{i≠t} e^{l_i − l_t}; likewise p'_t = 1 / (1 + a'). Then
    //     p_t − p'_t = (a' − a) / ((1 + a)(1 + a')),   a' − a = Σ_{i≠t} e^{l_i − l_t} · expm1(d_i),
    //     d_i = (l'_i − l'_t) − (l_i − l_t):
    // every term is a product of accurate factors, no two numbers near 1 are subtracted.
    double a = 0, diff = 0;
    for (std::size_t i = 0; i < C; ++i) {
        if (i == t) continue;
        const double u = static_cast<double>(l[i]) - static_cast<double>(l[t]);
        const double u_occluded = static_cast<double>(l_occluded[i]) - static_cast<double>(l_occluded[t]);
        const double e = std::exp(u);
        a += e;
        diff += e * std::expm1(u_occluded - u);
    }
    const double drop = diff / ((1 + a) * (1 + a + diff));
    if (std::isfinite(drop)) return drop;
    // Logits so far apart that e^{l_i − l_t} overflows: p_t is then 0 to double precision, subtract directly.
    auto p_target = [&](const T* z) {
        double s = 0;
        for (std::size_t i = 0; i < C; ++i) s += std::exp(static_cast<double>(z[i]) - static_cast<double>(z[t]));
        return 1 / s;
    };
    return p_target(l) - p_target(l_occluded);
}
template double score_drop(const float*, const float*, std::size_t, std::size_t, Output);
template double score_drop(const double*, const double*, std::size_t, std::size_t, Output);

std::vector<std::size_t> occlusion_positions(std::size_t width, const OcclusionOptions& o) {
    if (o.side == 0 || o.stride == 0) throw std::invalid_argument("occlusion: patch side and stride must be >= 1");
    if (o.stride > o.side)
        throw std::invalid_argument("occlusion: stride " + std::to_string(o.stride) + " is larger than the patch side " +
                                    std::to_string(o.side) + ": the pixels between patches would never be covered");
    if (o.side > width)
        throw std::invalid_argument("occlusion: patch side " + std::to_string(o.side) + " is larger than the " +
                                    std::to_string(width) + "-pixel image");
    std::vector<std::size_t> pos;
    for (std::size_t p = 0; p + o.side <= width; p += o.stride) pos.push_back(p);
    if (pos.back() + o.side < width) pos.push_back(width - o.side);     // flush to the edge
    return pos;
}

template <class T>
nn::Tensor<T> occlusion(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& targets,
                        const OcclusionOptions& options, Output out, std::size_t chunk_rows) {
    const std::size_t N = x.shape(0), D = model.in, C = model.out;
    const auto W = static_cast<std::size_t>(std::lround(std::sqrt(static_cast<double>(D))));
    if (W * W != D)
        throw std::invalid_argument("occlusion: the model takes " + std::to_string(D) +
                                    " inputs, which is not a square image");
    if (x.shape(1) != D)
        throw std::invalid_argument("occlusion: input has " + std::to_string(x.shape(1)) +
                                    " columns, the model expects " + std::to_string(D));
    if (targets.size() != N)
        throw std::invalid_argument("occlusion: " + std::to_string(targets.size()) + " targets for " +
                                    std::to_string(N) + " images");
    for (int t : targets)
        if (t < 0 || static_cast<std::size_t>(t) >= C)
            throw std::invalid_argument("occlusion: target class " + std::to_string(t) + " is outside 0.." +
                                        std::to_string(C - 1));

    const std::vector<std::size_t> pos = occlusion_positions(W, options);
    const std::size_t s = options.side, P = pos.size() * pos.size(), R = P + 1;   // row 0: the image itself
    // How many patches cover each pixel: the same for every image.
    std::vector<double> cover(D, 0.0);
    for (std::size_t py : pos)
        for (std::size_t px : pos)
            for (std::size_t r = py; r < py + s; ++r)
                for (std::size_t c = px; c < px + s; ++c) cover[r * W + c] += 1;

    nn::Tensor<T> maps = xt::zeros<T>({N, D});                          // [N, D]
    const std::size_t per_chunk = std::max<std::size_t>(1, chunk_rows / R);
    nn::Tensor<T> batch;                                                // [b·R, D]
    std::vector<double> acc(D);
    nn::for_each_chunk(N, per_chunk, "occlusion", [&](std::size_t n0, std::size_t b) {
        nn::reshape_to(batch, b * R, D);
        for (std::size_t n = 0; n < b; ++n) {
            const T* img = x.data() + (n0 + n) * D;
            for (std::size_t q = 0; q < R; ++q) std::copy(img, img + D, batch.data() + (n * R + q) * D);
            std::size_t q = 1;
            for (std::size_t py : pos)
                for (std::size_t px : pos) {
                    T* row = batch.data() + (n * R + q++) * D;       // this patch's copy of the image
                    for (std::size_t r = py; r < py + s; ++r) std::fill(row + r * W + px, row + r * W + px + s, T(0));
                }
        }
        const nn::Tensor<T> l = predict(model, batch, Output::Logits);  // [b·R, C]: the drop is formed from logits
        for (std::size_t n = 0; n < b; ++n) {
            const auto t = static_cast<std::size_t>(targets[n0 + n]);
            std::fill(acc.begin(), acc.end(), 0.0);
            std::size_t q = 1;
            for (std::size_t py : pos)
                for (std::size_t px : pos) {
                    const double drop = score_drop(l.data() + n * R * C, l.data() + (n * R + q++) * C, C, t, out);
                    for (std::size_t r = py; r < py + s; ++r)
                        for (std::size_t c = px; c < px + s; ++c) acc[r * W + c] += drop;
                }
            for (std::size_t p = 0; p < D; ++p) maps(n0 + n, p) = static_cast<T>(acc[p] / cover[p]);
        }
    });
    return maps;
}

template nn::Tensor<float> occlusion(Model<float>, const nn::Tensor<float>&, const std::vector<int>&,
                                     const OcclusionOptions&, Output, std::size_t);
template nn::Tensor<double> occlusion(Model<double>, const nn::Tensor<double>&, const std::vector<int>&,
                                      const OcclusionOptions&, Output, std::size_t);

}  // namespace sensitivity::maps
