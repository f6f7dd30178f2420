// sensitivity/probes/perturb.hpp — perturbers: image transforms of strength p (rotation, blur, noise, shift, scale, contrast, occlusion).
// One image in, one image out, and p = 0 returns the input exactly; running them over a test set is probe.hpp's job.
#pragma once

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "sensitivity/probes/properties.hpp"  // Image: [H, W] floats in [0, 1], row 0 at the top

namespace sensitivity::probes {

// Every transform writes `out` (resized to in's shape if needed; `out` must not be `in`).
// Geometric ones sample `in` bilinearly at the inverse-mapped position; pixels that come from outside are 0.
// Scaling is about the image centre ((W - 1)/2, (H - 1)/2) = (13.5, 13.5) for MNIST; rotation about the digit's own
// centre of mass (MNIST's digits sit with it near (14, 14), half a pixel off the image centre in x and y).

// Rotation by `degrees`, counter-clockwise as the image is displayed (row 0 at the top), about `centre`.
void rotate_about(const Image& in, double degrees, Centre centre, Image& out);

// Rotation about the image's own intensity-weighted centre of mass (properties.hpp's centre_of_mass), so the digit
// turns in place and is not also shifted; about the image centre when there is no ink.
void rotate(const Image& in, double degrees, Image& out);

// Gaussian blur with standard deviation `sigma` pixels: a separable kernel truncated at ceil(4σ) and normalised
// to sum 1, zero outside the image (ink that spreads past the border is lost). sigma = 0 copies.
void gaussian_blur(const Image& in, double sigma, Image& out);

// Adds independent N(0, sigma²) noise to every pixel, drawn from `rng`, then CLIPS to [0, 1] so the result is
// still a valid image. On MNIST's black background only the positive half of the noise survives, so the
// effective noise there is smaller than sigma. sigma = 0 copies (and draws nothing).
void add_noise(const Image& in, double sigma, std::mt19937_64& rng, Image& out);

// Moves the content right by dx and down by dy pixels; integer shifts move pixels exactly, 0 enters.
void shift(const Image& in, double dx, double dy, Image& out);

// Scales about the centre by the factor 1 + change (change = -0.2: 20% smaller; 0: unchanged). change > -1.
void rescale(const Image& in, double change, Image& out);

// Pulls every pixel towards the image mean m: out = m + (1 - amount)·(in - m), clipped to [0, 1].
// amount 0 = unchanged, 1 = a flat image of the mean; negative amounts raise the contrast. Around the mean (not 0.5)
// so the total ink is unchanged (until clipping): the probe measures contrast, not brightness.
void reduce_contrast(const Image& in, double amount, Image& out);

// Sets a centred square of round(side) pixels to 0 (rows and columns from (H - s)/2 and (W - s)/2, integer
// division: for odd s on an even image the square sits half a pixel up-left of the centre). side 0 copies.
void occlude(const Image& in, double side, Image& out);

// A named perturber for the probe: apply(in, p, rng, out). Deterministic ones ignore rng.
struct Perturber {
    std::string name;     // "rotation"
    std::string units;    // "degrees"
    std::function<void(const Image& in, double p, std::mt19937_64& rng, Image& out)> apply;
};

// The built-in perturbers, with p meaning:
//   rotation: degrees CCW;  blur: σ in pixels;  noise: σ of the added noise (intensity units);
//   shift: pixels to the right;  scale: relative size change (factor 1 + p);  contrast: amount of reduction;
//   occlusion: side of the centred black square in pixels.
Perturber make_perturber(const std::string& name);   // throws std::invalid_argument listing the valid names
std::vector<std::string> perturber_names();

}  // namespace sensitivity::probes
