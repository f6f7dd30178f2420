// sensitivity/probes/probe_bins.cpp — grouping a test set by a property: equal-count, equal-width, or one example per row.
// Every example lands in exactly one bin (unlike Sensie's digitize, which drops its first bin and the maximum value).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "names/names.hpp"
#include "sensitivity/probes/probe.hpp"

namespace sensitivity::probes {

namespace {

// Indices 0..n-1 sorted by p (stable, so equal values keep their order).
std::vector<std::size_t> order_by(const std::vector<double>& p) {
    std::vector<std::size_t> order(p.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
    return order;
}

}  // namespace

std::vector<std::vector<std::size_t>> make_bins(const std::vector<double>& p, const BinOptions& options) {
    for (std::size_t i = 0; i < p.size(); ++i)
        if (!std::isfinite(p[i]))
            throw std::invalid_argument("make_bins: property value " + std::to_string(i) + " is not finite (" +
                                        std::to_string(p[i]) + ")");
    if (options.binning != Binning::None && options.bins == 0)
        throw std::invalid_argument("make_bins: the number of bins must be at least 1");
    std::vector<std::vector<std::size_t>> bins;
    if (p.empty()) return bins;
    const std::vector<std::size_t> order = order_by(p);
    const std::size_t n = p.size();

    switch (options.binning) {
        case Binning::None:
            for (std::size_t i : order) bins.push_back({i});
            break;
        case Binning::EqualCount: {
            std::size_t begin = 0;
            for (std::size_t k = 1; k <= options.bins && begin < n; ++k) {
                std::size_t end = k == options.bins ? n : std::max(begin, k * n / options.bins);
                while (end < n && end > 0 && p[order[end]] == p[order[end - 1]]) ++end;   // keep ties together
                if (end > begin) bins.emplace_back(order.begin() + long(begin), order.begin() + long(end));
                begin = end;
            }
            break;
        }
        case Binning::EqualWidth: {
            const double lo = p[order.front()], hi = p[order.back()];
            const std::size_t k = hi > lo ? options.bins : 1;
            std::vector<std::vector<std::size_t>> all(k);
            for (std::size_t i : order) {
                // floor((p - lo)/width), with the maximum (index k) folded into the last bin
                const double t = hi > lo ? (p[i] - lo) / (hi - lo) * double(k) : 0.0;
                all[std::min(k - 1, static_cast<std::size_t>(t))].push_back(i);
            }
            for (auto& b : all)
                if (!b.empty()) bins.push_back(std::move(b));
            break;
        }
    }
    return bins;
}

const names::NameTable<Binning, 3> kBinningNames = {
    {{Binning::EqualCount, "equal_count"}, {Binning::EqualWidth, "equal_width"}, {Binning::None, "none"}}};

const char* binning_name(Binning b) { return names::name_of(kBinningNames, b); }

}  // namespace sensitivity::probes
