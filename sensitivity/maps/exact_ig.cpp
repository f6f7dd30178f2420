// sensitivity/maps/exact_ig.cpp — kink-aware Integrated Gradients: exact segments between relu kinks, Gauss–Legendre inside.
// Per chunk of images: two gemms ([b, D]·[D, H] forward along x − x0, [b, H]·[H, D] back), and a third, x0·W1, when
// every image has its own baseline; per image only H- and C-sized work.
#include "sensitivity/maps/exact_ig.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include <xtensor/xview.hpp>

#include "nn/chunks.hpp"
#include "nn/gemm.hpp"

namespace sensitivity::maps {

void gauss_legendre(std::size_t n, std::vector<double>& nodes, std::vector<double>& weights) {
    if (n < 1 || n > 16) throw std::invalid_argument("gauss_legendre: 1..16 nodes, got " + std::to_string(n));
    const double pi = std::acos(-1.0);
    nodes.assign(n, 0.0);
    weights.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        double z = std::cos(pi * (static_cast<double>(i) + 0.75) / (static_cast<double>(n) + 0.5));  // first guess
        double dp = 1;
        for (int iter = 0; iter < 100; ++iter) {
            double p0 = 1, p1 = z;                               // P_0, P_1, then the recurrence up to P_n
            for (std::size_t k = 2; k <= n; ++k) {
                const double p2 = ((2.0 * static_cast<double>(k) - 1) * z * p1 - (static_cast<double>(k) - 1) * p0) /
                                  static_cast<double>(k);
                p0 = p1;
                p1 = p2;
            }
            dp = static_cast<double>(n) * (z * p1 - p0) / (z * z - 1);   // P_n'(z)
            const double step = p1 / dp;
            z -= step;
            if (std::abs(step) < 1e-16) break;
        }
        nodes[i] = z;
        weights[i] = 2.0 / ((1 - z * z) * dp * dp);
    }
}

namespace {
// ∫ over [a, b] of ∂f_t/∂l at l(α) = A + α B, added to G [C].
void add_segment_integral(const std::vector<double>& A, const std::vector<double>& B, std::size_t t, double a, double b,
                          Output out, const ExactIgOptions& o, const std::vector<double>& gl_x,
                          const std::vector<double>& gl_w, std::vector<double>& l, std::vector<double>& G,
                          std::size_t& pieces) {
    const double len = b - a;
    if (!(len > 0)) return;
    if (out == Output::Logits) {                                // ∂l_t/∂l = e_t: the integral is exact
        G[t] += len;
        return;
    }
    const std::size_t C = A.size();
    double spread = 0;                                          // fastest-moving logit difference on this segment
    for (std::size_t c = 0; c < C; ++c) spread = std::max(spread, std::abs(B[c] - B[t]));
    const double m_real = std::ceil(spread * len / o.max_logit_step);
    const auto m = static_cast<std::size_t>(std::clamp(m_real, 1.0, 1e6));
    const double h = len / static_cast<double>(m);
    for (std::size_t piece = 0; piece < m; ++piece) {
        const double mid = a + (static_cast<double>(piece) + 0.5) * h;
        for (std::size_t q = 0; q < gl_x.size(); ++q) {
            const double alpha = mid + 0.5 * h * gl_x[q], w = 0.5 * h * gl_w[q];
            double top = -INFINITY;
            for (std::size_t c = 0; c < C; ++c) top = std::max(top, l[c] = A[c] + alpha * B[c]);
            double z = 0;
            for (std::size_t c = 0; c < C; ++c) z += (l[c] = std::exp(l[c] - top));
            const double pt = l[t] / z;
            double others = 0;                                  // 1 − p_t, summed instead of subtracted
            for (std::size_t c = 0; c < C; ++c)
                if (c != t) {
                    const double pc = l[c] / z;
                    others += pc;
                    G[c] -= w * pt * pc;                        // ∂p_t/∂l_c = −p_t p_c
                }
            G[t] += w * pt * others;                            // ∂p_t/∂l_t = p_t (1 − p_t)
        }
    }
    pieces += m;
}
}  // namespace

template <class T>
nn::Tensor<T> integrated_gradients_exact(Model<T> model, const nn::Tensor<T>& x,
                                         const std::vector<int>& targets, const nn::Tensor<T>& baseline, Output out,
                                         const ExactIgOptions& o, ExactIgStats* stats, std::size_t chunk) {
    if (model.layers.size() != 2)
        throw std::invalid_argument("integrated_gradients_exact: needs a network of two dense layers with relu between "
                                    "them, this one has " + std::to_string(model.layers.size()) +
                                    " dense layers (use integrated_gradients)");
    const nn::Linear& layer1 = model.layers[0];
    const nn::Linear& layer2 = model.layers[1];
    const std::size_t N = x.shape(0), D = model.in, H = layer1.out, C = model.out;
    if (model.activation != nn::Activation::Relu)
        throw std::invalid_argument(std::string("integrated_gradients_exact: needs a relu network, this one uses ") +
                                    nn::activation_name(model.activation) + " (use integrated_gradients)");
    if (x.dimension() != 2 || x.shape(1) != D)
        throw std::invalid_argument("integrated_gradients_exact: input must be [N, " + std::to_string(D) + "]");
    if (baseline.dimension() != 2 || baseline.shape(1) != D || (baseline.shape(0) != 1 && baseline.shape(0) != N))
        throw std::invalid_argument("integrated_gradients_exact: baseline must be [1, " + std::to_string(D) +
                                    "] or [N, " + std::to_string(D) + "]");
    if (targets.size() != N)
        throw std::invalid_argument("integrated_gradients_exact: " + std::to_string(targets.size()) +
                                    " targets for " + std::to_string(N) + " images");
    for (int t : targets)
        if (t < 0 || static_cast<std::size_t>(t) >= C)
            throw std::invalid_argument("integrated_gradients_exact: target class " + std::to_string(t) +
                                        " is outside 0.." + std::to_string(C - 1));
    if (o.nodes < 1 || o.nodes > 16 || !(o.max_logit_step > 0))
        throw std::invalid_argument("integrated_gradients_exact: nodes must be 1..16 and max_logit_step > 0");
    std::vector<double> gl_x, gl_w;
    gauss_legendre(o.nodes, gl_x, gl_w);

    const auto& tape = *model.tape;
    const nn::Tensor<double> W1 = xt::cast<double>(tape.value(layer1.W));          // [D, H]
    const nn::Tensor<double> b1 = xt::cast<double>(tape.value(layer1.b));          // [1, H]
    const nn::Tensor<double> W2 = xt::cast<double>(tape.value(layer2.W));          // [H, C]
    const nn::Tensor<double> b2 = xt::cast<double>(tape.value(layer2.b));          // [1, C]

    nn::Tensor<T> result = xt::zeros<T>({N, D});                                   // [N, D]
    if (N == 0) return result;
    chunk = std::max<std::size_t>(1, chunk);
    nn::Tensor<double> X0, DX, Z0, DZ, V, M;                  // baseline and step [b, D]; z', Δz, v [b, H]; W1·v [b, D]
    nn::Tensor<double> Z0_shared;                             // [1, H]: x'·W1 when every image has the same baseline
    std::vector<std::pair<double, std::size_t>> kinks;
    std::vector<std::size_t> kink_pos(H);
    std::vector<char> active(H);
    std::vector<double> A(C), B(C), l(C), S, G(C);            // S: prefix sums of the segment integrals [(K+2)·C]
    ExactIgStats st;
    nn::for_each_chunk(N, chunk, "integrated_gradients_exact", [&](std::size_t n0, std::size_t b) {
        nn::reshape_to(X0, b, D);
        nn::reshape_to(DX, b, D);
        for (std::size_t n = 0; n < b; ++n)
            for (std::size_t j = 0; j < D; ++j) {
                const double base = static_cast<double>(baseline(baseline.shape(0) == 1 ? 0 : n0 + n, j));
                X0(n, j) = base;
                DX(n, j) = static_cast<double>(x(n0 + n, j)) - base;
            }
        nn::reshape_to(Z0, b, H);
        nn::reshape_to(DZ, b, H);
        if (baseline.shape(0) == 1) {                                               // one baseline: z' once
            if (n0 == 0) {
                const nn::Tensor<double> row = xt::view(X0, xt::range(0, 1), xt::all());   // [1, D]
                nn::reshape_to(Z0_shared, 1, H);
                nn::gemm(row, W1, Z0_shared, false, false);                         // [1, D]·[D, H]
            }
            for (std::size_t n = 0; n < b; ++n) std::copy(Z0_shared.begin(), Z0_shared.end(), Z0.data() + n * H);
        } else {
            nn::gemm(X0, W1, Z0, false, false);                                     // [b, D]·[D, H]
        }
        nn::gemm(DX, W1, DZ, false, false);
        nn::reshape_to(V, b, H);
        for (std::size_t n = 0; n < b; ++n) {
            const auto t = static_cast<std::size_t>(targets[n0 + n]);
            const double* dz = DZ.data() + n * H;
            double* z0 = Z0.data() + n * H;
            for (std::size_t h = 0; h < H; ++h) z0[h] += b1(0, h);
            // The kinks in (0, 1), in order, and each unit's state at α = 0⁺.
            kinks.clear();
            for (std::size_t h = 0; h < H; ++h) {
                active[h] = z0[h] > 0 || (z0[h] == 0 && dz[h] > 0);
                if (dz[h] != 0) {
                    const double alpha = -z0[h] / dz[h];
                    if (alpha > 0 && alpha < 1) kinks.emplace_back(alpha, h);
                }
            }
            std::sort(kinks.begin(), kinks.end());
            const std::size_t K = kinks.size();
            for (std::size_t k = 0; k < K; ++k) kink_pos[kinks[k].second] = k;
            // The logit line of the first segment: l(α) = A + α B over the active units.
            for (std::size_t c = 0; c < C; ++c) A[c] = b2(0, c), B[c] = 0;
            for (std::size_t h = 0; h < H; ++h)
                if (active[h])
                    for (std::size_t c = 0; c < C; ++c) A[c] += z0[h] * W2(h, c), B[c] += dz[h] * W2(h, c);
            S.assign((K + 2) * C, 0.0);
            double a = 0;
            for (std::size_t k = 0; k <= K; ++k) {                                 // segment k: [a, next kink or 1]
                const double e = k < K ? kinks[k].first : 1.0;
                std::fill(G.begin(), G.end(), 0.0);
                add_segment_integral(A, B, t, a, e, out, o, gl_x, gl_w, l, G, st.pieces);
                for (std::size_t c = 0; c < C; ++c) S[(k + 1) * C + c] = S[k * C + c] + G[c];
                if (k < K) {                                                       // unit h switches at e
                    const std::size_t h = kinks[k].second;
                    const double sign = active[h] ? -1.0 : 1.0;
                    active[h] = !active[h];
                    for (std::size_t c = 0; c < C; ++c)
                        A[c] += sign * z0[h] * W2(h, c), B[c] += sign * dz[h] * W2(h, c);
                }
                a = e;
            }
            // v_h = W2[h, :] · (integral over the segments where unit h is active).
            for (std::size_t h = 0; h < H; ++h) {
                const bool on_at_start = z0[h] > 0 || (z0[h] == 0 && dz[h] > 0);
                const bool has_kink = dz[h] != 0 && -z0[h] / dz[h] > 0 && -z0[h] / dz[h] < 1;
                std::size_t from = 0, to = 0;                                      // segments [from, to)
                if (has_kink) {
                    const std::size_t p = kink_pos[h] + 1;
                    from = on_at_start ? 0 : p;
                    to = on_at_start ? p : K + 1;
                } else if (on_at_start) {
                    to = K + 1;
                }
                double v = 0;
                for (std::size_t c = 0; c < C; ++c) v += W2(h, c) * (S[to * C + c] - S[from * C + c]);
                V(n, h) = v;
            }
            st.kinks += K;
        }
        nn::reshape_to(M, b, D);
        nn::gemm(V, W1, M, false, true);                                            // [b, H]·[D, H]ᵀ -> [b, D]
        for (std::size_t n = 0; n < b; ++n)
            for (std::size_t j = 0; j < D; ++j) result(n0 + n, j) = static_cast<T>(DX(n, j) * M(n, j));
    });
    st.images = N;
    if (stats) *stats = st;
    return result;
}

template <class T>
nn::Tensor<T> integrated_gradients_exact(Model<T> model, const nn::Tensor<T>& x,
                                         const std::vector<int>& targets, Output out, const ExactIgOptions& o,
                                         ExactIgStats* stats) {
    const nn::Tensor<T> black = xt::zeros<T>({std::size_t(1), model.in});
    return integrated_gradients_exact(model, x, targets, black, out, o, stats);
}

template nn::Tensor<float> integrated_gradients_exact(Model<float>, const nn::Tensor<float>&,
                                                      const std::vector<int>&, const nn::Tensor<float>&, Output,
                                                      const ExactIgOptions&, ExactIgStats*, std::size_t);
template nn::Tensor<double> integrated_gradients_exact(Model<double>, const nn::Tensor<double>&,
                                                       const std::vector<int>&, const nn::Tensor<double>&, Output,
                                                       const ExactIgOptions&, ExactIgStats*, std::size_t);
template nn::Tensor<float> integrated_gradients_exact(Model<float>, const nn::Tensor<float>&,
                                                      const std::vector<int>&, Output, const ExactIgOptions&,
                                                      ExactIgStats*);
template nn::Tensor<double> integrated_gradients_exact(Model<double>, const nn::Tensor<double>&,
                                                       const std::vector<int>&, Output, const ExactIgOptions&,
                                                       ExactIgStats*);

}  // namespace sensitivity::maps
