// docs/snippets/softmax_precision.cpp — chapter 5: two algebraically equal softmax backwards, in float, at p ≈ 1.
// The textbook form subtracts two numbers near 1; the cancellation-free form only adds small positive terms.
#include <cmath>
#include <cstdio>
#include <vector>

// y = softmax(a) in precision T (max subtracted first, as the engine does).
template <class T>
std::vector<T> softmax(const std::vector<double>& a) {
    T m = T(a[0]), s = 0;
    for (double v : a) m = std::max(m, T(v));
    std::vector<T> y;
    for (double v : a) s += y.emplace_back(std::exp(T(v) - m));
    for (T& v : y) v /= s;
    return y;
}

// Textbook: da_c = y_c·(dy_c − Σ_i y_i·dy_i).
template <class T>
std::vector<T> backward_textbook(const std::vector<T>& y, const std::vector<T>& dy) {
    T dot = 0;
    for (std::size_t i = 0; i < y.size(); ++i) dot += y[i] * dy[i];
    std::vector<T> da;
    for (std::size_t c = 0; c < y.size(); ++c) da.push_back(y[c] * (dy[c] - dot));
    return da;
}

// Cancellation-free: da_c = y_c·Σ_i y_i·(dy_c − dy_i). The i = c term is exactly 0 and is skipped.
template <class T>
std::vector<T> backward_no_cancel(const std::vector<T>& y, const std::vector<T>& dy) {
    std::vector<T> da;
    for (std::size_t c = 0; c < y.size(); ++c) {
        T s = 0;
        for (std::size_t i = 0; i < y.size(); ++i)
            if (i != c) s += y[i] * (dy[c] - dy[i]);
        da.push_back(y[c] * s);
    }
    return da;
}

int main() {
    const std::vector<double> logits = {14.0, 0.0, -1.0, 2.0};     // a confident row: p_0 = 1 − 7e-6
    const std::vector<double> seed = {1.0, 0.0, 0.0, 0.0};          // ask for ∂p_0/∂a
    const std::vector<double> y64 = softmax<double>(logits);
    const std::vector<double> exact = backward_no_cancel(y64, seed); // double: the reference
    const std::vector<float> y32 = softmax<float>(logits);
    const std::vector<float> dy32(seed.begin(), seed.end());
    const std::vector<float> textbook = backward_textbook(y32, dy32), no_cancel = backward_no_cancel(y32, dy32);

    std::printf("p_0 = %.9f, 1 - p_0 = %.3e\n", y64[0], 1 - y64[0]);
    std::printf("       double reference   float textbook (rel err)   float no-cancel (rel err)\n");
    double worst_textbook = 0, worst_no_cancel = 0;
    for (std::size_t c = 0; c < logits.size(); ++c) {
        const double e1 = std::fabs(textbook[c] - exact[c]) / std::fabs(exact[c]);
        const double e2 = std::fabs(no_cancel[c] - exact[c]) / std::fabs(exact[c]);
        worst_textbook = std::fmax(worst_textbook, e1);
        worst_no_cancel = std::fmax(worst_no_cancel, e2);
        std::printf("da_%zu  %+.6e      %+.6e (%.2e)      %+.6e (%.2e)\n", c, exact[c], textbook[c], e1, no_cancel[c], e2);
    }
    // Float carries 7 digits: the cancellation-free form keeps about 6 of them, the textbook form loses most.
    const bool as_expected = worst_no_cancel < 1e-5 && worst_textbook > 1e-3;
    std::printf("%s\n", as_expected ? "the textbook form lost digits to cancellation; the other did not" : "UNEXPECTED");
    return as_expected ? 0 : 1;
}
