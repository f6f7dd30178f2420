// docs/solutions/training_confusion.cpp — chapter 10, exercise 1: accuracy, per-class accuracy and top confusions from a confusion matrix.
// The matrix is the one printed in chapter 10; the program recomputes the numbers the chapter quotes.
#include <cmath>
#include <cstdio>

int main() {
    const int m[10][10] = {{972, 1, 1, 0, 0, 1, 2, 1, 2, 0},   {0, 1124, 3, 2, 0, 1, 2, 1, 2, 0},
                           {4, 1, 1013, 0, 1, 0, 2, 5, 6, 0},  {1, 0, 4, 992, 0, 4, 0, 1, 4, 4},
                           {1, 0, 2, 1, 962, 0, 3, 2, 0, 11},  {2, 0, 0, 6, 1, 872, 4, 1, 3, 3},
                           {2, 3, 0, 1, 3, 2, 946, 0, 1, 0},   {1, 2, 5, 1, 0, 0, 0, 1012, 3, 4},
                           {2, 0, 2, 5, 2, 3, 1, 3, 954, 2},   {2, 2, 0, 4, 8, 1, 1, 3, 0, 988}};
    int total = 0, right = 0, sixes = 0, largest = 0;
    double lowest = 100, highest = 0;
    for (int t = 0; t < 10; ++t) {
        int row = 0;
        for (int p = 0; p < 10; ++p) {
            row += m[t][p];
            if (p != t && m[t][p] > largest) largest = m[t][p];
            if (p != t && m[t][p] == 6) ++sixes;
        }
        total += row;
        right += m[t][t];
        const double acc = std::round(1000.0 * m[t][t] / row) / 10;   // one decimal, as the chapter quotes it
        std::printf("class %d: %d/%d = %.1f%%\n", t, m[t][t], row, acc);
        lowest = std::fmin(lowest, acc);
        highest = std::fmax(highest, acc);
    }
    std::printf("accuracy %.2f%% of %d; largest confusion %d; %d confusions of 6; per class %.1f%% to %.1f%%\n",
                100.0 * right / total, total, largest, sixes, lowest, highest);
    return total == 10000 && right == 9835 && largest == 11 && sixes == 2 && lowest == 97.8 && highest == 99.2 ? 0 : 1;
}
