// sensitivity/maps/jacobian.cpp — the input Jacobian from one recorded forward pass and one backward walk per output class.
// The tape's backward kernels (nn/ops/) do the work; this file chooses seeds and copies rows.
#include "sensitivity/maps/jacobian.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <xtensor/xmath.hpp>

#include "nn/argmax.hpp"
#include "nn/chunks.hpp"
#include "names/names.hpp"

namespace sensitivity::maps {

namespace {
const names::NameTable<Output, 2> kOutputNames = {{{Output::Softmax, "softmax"}, {Output::Logits, "logits"}}};

template <class T>
void check_input(const ModelView<T>& model, const nn::Tensor<T>& x, const char* who) {
    if (x.shape(1) != model.in)
        throw std::invalid_argument(std::string(who) + ": input has " + std::to_string(x.shape(1)) +
                                    " columns, the model expects " + std::to_string(model.in));
}
void check_class(int c, std::size_t classes, const char* who) {
    if (c < 0 || static_cast<std::size_t>(c) >= classes)
        throw std::invalid_argument(std::string(who) + ": class " + std::to_string(c) + " is outside 0.." +
                                    std::to_string(classes - 1));
}
}  // namespace

const char* output_name(Output out) { return names::name_of(kOutputNames, out); }

// ---------------------------------------------------------------- forward only
template <class T>
nn::Tensor<T> predict(Model<T> model, const nn::Tensor<T>& x, Output out, std::size_t chunk) {
    check_input(model, x, "predict");
    const std::size_t N = x.shape(0), C = model.out, D = model.in;
    nn::Tensor<T> f({N, C});                                        // [N, C]
    nn::Tape<T>& tape = *model.tape;
    const nn::FrozenLeaves<T> frozen(tape, model.parameters);      // destroyed last: flags back after the rewind
    const nn::RewindOnExit<T> scope(tape);
    nn::for_each_chunk(N, chunk, "predict", [&](std::size_t row0, std::size_t B) {
        tape.rewind(scope.mark());                                  // buffers are reused chunk after chunk
        nn::Var xv = tape.leaf(B, D, false);                        // [B, D]
        std::copy(x.data() + row0 * D, x.data() + (row0 + B) * D, tape.value(xv).data());
        nn::Var y = model.logits(xv);                               // [B, C]
        if (out == Output::Softmax) y = tape.softmax(y);
        const nn::Tensor<T>& fy = tape.value(y);
        std::copy(fy.data(), fy.data() + B * C, f.data() + row0 * C);
    });
    return f;
}

// ---------------------------------------------------------------- InputGradient: one forward, many backward walks
template <class T>
InputGradient<T>::InputGradient(Model<T> model, Output out)
    : model_(model), out_(out), frozen_(*model_.tape, model_.parameters), scope_(*model_.tape) {}

template <class T>
const nn::Tensor<T>& InputGradient<T>::forward(const nn::Tensor<T>& x, std::size_t row0, std::size_t rows) {
    check_input(model_, x, "InputGradient::forward");
    if (rows == 0) rows = x.shape(0) - std::min(row0, x.shape(0));
    if (row0 + rows > x.shape(0) || rows == 0)
        throw std::invalid_argument("InputGradient::forward: rows [" + std::to_string(row0) + ", " +
                                    std::to_string(row0 + rows) + ") are not inside the " +
                                    std::to_string(x.shape(0)) + "-row input");
    nn::Tape<T>& tape = *model_.tape;
    const std::size_t D = model_.in;
    tape.rewind(scope_.mark());                                     // forget our previous chunk, keep its buffers
    x_ = tape.leaf(rows, D, true);                                  // [B, D] leaf that wants a gradient
    std::copy(x.data() + row0 * D, x.data() + (row0 + rows) * D, tape.value(x_).data());
    logits_ = model_.logits(x_);                                    // [B, C]
    y_ = out_ == Output::Softmax ? tape.softmax(logits_) : logits_; // [B, C]
    batch_ = rows;
    return tape.value(y_);
}

template <class T>
const nn::Tensor<T>& InputGradient<T>::output() const {
    if (batch_ == 0) throw std::logic_error("InputGradient: call forward() before output()");
    return model_.tape->value(y_);
}

template <class T>
const nn::Tensor<T>& InputGradient<T>::backward(const nn::Tensor<T>& seed) {
    if (batch_ == 0) throw std::logic_error("InputGradient: call forward() before backward()");
    nn::Tape<T>& tape = *model_.tape;
    tape.zero_grad(x_);                                             // leaf grads accumulate: start each walk at 0
    tape.backward(y_, seed);                                        // checks seed is [B, C]; through the softmax node
    return tape.grad(x_);                                           // [B, D]
}

template <class T>
const nn::Tensor<T>& InputGradient<T>::backward_classes(const std::vector<int>& classes) {
    const std::size_t C = model_.out;
    if (classes.size() != batch_)
        throw std::invalid_argument("InputGradient::backward_classes: " + std::to_string(classes.size()) +
                                    " classes for a batch of " + std::to_string(batch_));
    nn::reshape_to(seed_, batch_, C);
    seed_.fill(T(0));
    for (std::size_t n = 0; n < batch_; ++n) {
        check_class(classes[n], C, "InputGradient::backward_classes");
        seed_(n, static_cast<std::size_t>(classes[n])) = T(1);
    }
    return backward(seed_);
}

template <class T>
const nn::Tensor<T>& InputGradient<T>::backward_difference(int a, int b) {
    const std::size_t C = model_.out;
    check_class(a, C, "InputGradient::backward_difference");
    check_class(b, C, "InputGradient::backward_difference");
    nn::reshape_to(seed_, batch_, C);
    seed_.fill(T(0));
    for (std::size_t n = 0; n < batch_; ++n) {
        seed_(n, static_cast<std::size_t>(a)) += T(1);
        seed_(n, static_cast<std::size_t>(b)) -= T(1);               // a == b gives a zero seed and a zero map
    }
    return backward(seed_);
}

// ---------------------------------------------------------------- the full Jacobian
template <class T>
xt::xtensor<T, 3> jacobian(Model<T> model, const nn::Tensor<T>& x, Output out, std::size_t chunk) {
    check_input(model, x, "jacobian");
    const std::size_t N = x.shape(0), C = model.out, D = model.in;
    xt::xtensor<T, 3> J({N, C, D});                                 // [N, C, D]
    InputGradient<T> grad(model, out);
    nn::Tensor<T> seed;                                             // [B, C], one-hot column i
    nn::for_each_chunk(N, chunk, "jacobian", [&](std::size_t row0, std::size_t B) {
        grad.forward(x, row0, B);                                   // one forward for the chunk
        nn::reshape_to(seed, B, C);
        seed.fill(T(0));
        for (std::size_t i = 0; i < C; ++i) {
            if (i > 0)
                for (std::size_t n = 0; n < B; ++n) seed(n, i - 1) = T(0);
            for (std::size_t n = 0; n < B; ++n) seed(n, i) = T(1);  // seed[n, i] = 1 for every image
            const nn::Tensor<T>& dx = grad.backward(seed);          // [B, D]: row n = ∂f_i(x_n)/∂x_n
            for (std::size_t n = 0; n < B; ++n)
                std::copy(dx.data() + n * D, dx.data() + (n + 1) * D, &J(row0 + n, i, 0));
        }
    });
    return J;
}

template <class T>
xt::xtensor<T, 3> jacobian_forward(Model<T> model, const nn::Tensor<T>& x, Output out, std::size_t chunk,
                                   std::size_t directions) {
    check_input(model, x, "jacobian_forward");
    const std::size_t N = x.shape(0), C = model.out, D = model.in;
    xt::xtensor<T, 3> J({N, C, D});                                 // [N, C, D]
    nn::Tape<T>& tape = *model.tape;
    const nn::RewindOnExit<T> scope(tape);                          // forgets our nodes, and only ours, at the end
    nn::for_each_chunk(N, chunk, "jacobian_forward", [&](std::size_t row0, std::size_t B) {
        tape.rewind(scope.mark());
        tape.clear_tangents();
        nn::Var xv = tape.leaf(B, D, false);                        // [B, D]
        std::copy(x.data() + row0 * D, x.data() + (row0 + B) * D, tape.value(xv).data());
        nn::Var y = model.logits(xv);                               // [B, C], one forward for the chunk
        if (out == Output::Softmax) y = tape.softmax(y);
        nn::for_each_chunk(D, directions, "jacobian_forward", [&](std::size_t j0, std::size_t K) {   // pixels j0..j0+K-1
            if (K != tape.directions()) tape.clear_tangents();      // the last block may be smaller
            nn::Tensor<T>& dx = tape.seed_tangent(xv, K);           // [K·B, D], zeroed
            for (std::size_t k = 0; k < K; ++k)
                for (std::size_t n = 0; n < B; ++n) dx(k * B + n, j0 + k) = T(1);   // block k: e_{j0+k} per image
            tape.forward_tangents(y);
            const nn::Tensor<T>& dy = tape.tangent(y);              // [K·B, C]: block k = ∂f/∂x_{j0+k}
            for (std::size_t k = 0; k < K; ++k)
                for (std::size_t n = 0; n < B; ++n)
                    for (std::size_t i = 0; i < C; ++i) J(row0 + n, i, j0 + k) = dy(k * B + n, i);
        });
    });
    tape.clear_tangents();
    return J;
}

// ---------------------------------------------------------------- one map per image
template <class T>
nn::Tensor<T> class_gradient(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& classes,
                             Output out, std::size_t chunk) {
    check_input(model, x, "class_gradient");
    if (classes.size() != x.shape(0))
        throw std::invalid_argument("class_gradient: " + std::to_string(classes.size()) + " classes for " +
                                    std::to_string(x.shape(0)) + " images");
    const std::size_t N = x.shape(0), D = model.in;
    nn::Tensor<T> maps({N, D});                                     // [N, D]
    InputGradient<T> grad(model, out);
    std::vector<int> part;
    nn::for_each_chunk(N, chunk, "class_gradient", [&](std::size_t row0, std::size_t B) {
        grad.forward(x, row0, B);
        part.assign(classes.begin() + static_cast<long>(row0), classes.begin() + static_cast<long>(row0 + B));
        const nn::Tensor<T>& dx = grad.backward_classes(part);     // [B, D]
        std::copy(dx.data(), dx.data() + B * D, maps.data() + row0 * D);
    });
    return maps;
}

template <class T>
nn::Tensor<T> class_gradient(Model<T> model, const nn::Tensor<T>& x, int c, Output out) {
    return class_gradient(model, x, std::vector<int>(x.shape(0), c), out);
}

template <class T>
nn::Tensor<T> predicted_class_gradient(Model<T> model, const nn::Tensor<T>& x, Output out,
                                       std::vector<int>* predicted) {
    check_input(model, x, "predicted_class_gradient");
    const std::size_t N = x.shape(0), D = model.in;
    nn::Tensor<T> maps({N, D});
    if (N == 0) return maps;
    InputGradient<T> grad(model, out);
    std::vector<int> cls = nn::argmax_rows(grad.forward(x));        // [N] from f(x) [N, C]
    maps = grad.backward_classes(cls);                              // same tape, one walk
    if (predicted) *predicted = std::move(cls);
    return maps;
}

template <class T>
nn::Tensor<T> class_difference_gradient(Model<T> model, const nn::Tensor<T>& x, int a, int b, Output out) {
    check_input(model, x, "class_difference_gradient");
    nn::Tensor<T> maps({x.shape(0), model.in});
    if (x.shape(0) == 0) return maps;
    InputGradient<T> grad(model, out);
    grad.forward(x);
    maps = grad.backward_difference(a, b);                          // [N, D]
    return maps;
}

// ---------------------------------------------------------------- the dataset summary
template <class T>
SensitivitySummary<T> summarize(Model<T> model, const nn::Tensor<T>& x, const std::vector<int>& labels,
                                Output out) {
    check_input(model, x, "summarize");
    if (labels.size() != x.shape(0))
        throw std::invalid_argument("summarize: " + std::to_string(labels.size()) + " labels for " +
                                    std::to_string(x.shape(0)) + " images");
    const std::size_t D = x.shape(1);
    const typename RowSource<T>::type rows = [&](std::size_t begin, std::size_t count, nn::Tensor<T>& chunk) {
        chunk.resize({count, D});                                   // [count, D]
        std::copy(x.data() + begin * D, x.data() + (begin + count) * D, chunk.data());
    };
    return summarize(model, rows, labels, out);
}

template <class T>
SensitivitySummary<T> summarize(Model<T> model,
                                const std::function<void(std::size_t, std::size_t, nn::Tensor<T>&)>& rows,
                                const std::vector<int>& labels, Output out, std::size_t chunk) {
    const std::size_t N = labels.size(), C = model.out, D = model.in;
    xt::xtensor<double, 2> sum = xt::zeros<double>({C, D});         // Σ |∂p_c/∂x| per class, in double
    std::vector<std::size_t> counts(C, 0);
    InputGradient<T> grad(model, out);
    std::vector<int> part;
    nn::Tensor<T> x;                                                // [B, D], one chunk, reused
    nn::for_each_chunk(N, chunk, "summarize", [&](std::size_t row0, std::size_t B) {
        rows(row0, B, x);
        check_input(model, x, "summarize");
        if (x.shape(0) != B)
            throw std::invalid_argument("summarize: asked for " + std::to_string(B) + " images, got " +
                                        std::to_string(x.shape(0)));
        grad.forward(x);
        part.assign(labels.begin() + static_cast<long>(row0), labels.begin() + static_cast<long>(row0 + B));
        const nn::Tensor<T>& dx = grad.backward_classes(part);     // [B, D]: ∂p_label/∂x per image
        for (std::size_t n = 0; n < B; ++n) {
            const auto c = static_cast<std::size_t>(part[n]);
            ++counts[c];
            for (std::size_t j = 0; j < D; ++j) sum(c, j) += std::abs(static_cast<double>(dx(n, j)));
        }
    });
    SensitivitySummary<T> s;
    s.per_class = xt::zeros<T>({C, D});
    s.overall = xt::zeros<T>({D});
    for (std::size_t c = 0; c < C; ++c)
        for (std::size_t j = 0; j < D; ++j) {
            if (counts[c] > 0) s.per_class(c, j) = static_cast<T>(sum(c, j) / static_cast<double>(counts[c]));
            if (N > 0) s.overall(j) += static_cast<T>(sum(c, j) / static_cast<double>(N));
        }
    s.counts = std::move(counts);
    return s;
}

// The two precisions the project uses: float for maps, double for the finite-difference checks.
template nn::Tensor<float> predict(Model<float>, const nn::Tensor<float>&, Output, std::size_t);
template class InputGradient<float>;
template xt::xtensor<float, 3> jacobian(Model<float>, const nn::Tensor<float>&, Output, std::size_t);
template xt::xtensor<float, 3> jacobian_forward(Model<float>, const nn::Tensor<float>&, Output, std::size_t, std::size_t);
template nn::Tensor<float> class_gradient(Model<float>, const nn::Tensor<float>&, const std::vector<int>&, Output, std::size_t);
template nn::Tensor<float> class_gradient(Model<float>, const nn::Tensor<float>&, int, Output);
template nn::Tensor<float> predicted_class_gradient(Model<float>, const nn::Tensor<float>&, Output, std::vector<int>*);
template nn::Tensor<float> class_difference_gradient(Model<float>, const nn::Tensor<float>&, int, int, Output);
template SensitivitySummary<float> summarize(Model<float>, const nn::Tensor<float>&, const std::vector<int>&, Output);
template SensitivitySummary<float> summarize(Model<float>, const RowSource<float>::type&, const std::vector<int>&,
                                             Output, std::size_t);
template nn::Tensor<double> predict(Model<double>, const nn::Tensor<double>&, Output, std::size_t);
template class InputGradient<double>;
template xt::xtensor<double, 3> jacobian(Model<double>, const nn::Tensor<double>&, Output, std::size_t);
template xt::xtensor<double, 3> jacobian_forward(Model<double>, const nn::Tensor<double>&, Output, std::size_t, std::size_t);
template nn::Tensor<double> class_gradient(Model<double>, const nn::Tensor<double>&, const std::vector<int>&, Output, std::size_t);
template nn::Tensor<double> class_gradient(Model<double>, const nn::Tensor<double>&, int, Output);
template nn::Tensor<double> predicted_class_gradient(Model<double>, const nn::Tensor<double>&, Output, std::vector<int>*);
template nn::Tensor<double> class_difference_gradient(Model<double>, const nn::Tensor<double>&, int, int, Output);
template SensitivitySummary<double> summarize(Model<double>, const nn::Tensor<double>&, const std::vector<int>&, Output);
template SensitivitySummary<double> summarize(Model<double>, const RowSource<double>::type&, const std::vector<int>&,
                                              Output, std::size_t);

}  // namespace sensitivity::maps
