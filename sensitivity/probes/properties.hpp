// sensitivity/probes/properties.hpp — scalar properties of a digit image: ink mass, stroke thickness, slant, bounding box, centroid offset.
// Measurements only; binning the test set by a property and fitting the score trend is sensitivity/probes/probe.hpp.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "nn/tensor.hpp"

namespace sensitivity::probes {

// A grey image [H, W] (MNIST: [28, 28]), row-major, row 0 at the top, intensities in [0, 1] (= byte / 255).
// Pixel (r, c) sits at x = c, y = r; the image centre is ((W - 1)/2, (H - 1)/2) = (13.5, 13.5) for MNIST. MNIST's digits
// are not centred there: they were placed so that their centre of mass falls at (14, 14) (measured mean over the test
// set: docs/13-probes.md), so offsets and rotations use the centre of mass, not the image centre.
using Image = nn::Tensor<float>;

// Pixels at or above this intensity count as ink for the bounding box and the stroke outline
// (half-way up MNIST's anti-aliased stroke edges).
constexpr float kInkThreshold = 0.5f;

// Σ intensity, in pixels of full ink (MNIST digits: about 50-250).
double ink_mass(const Image& img);

// Mean stroke width in pixels = 2 · ink mass / length of the ink outline.
// The outline is the iso-contour at `threshold` traced with marching squares (linear interpolation along
// pixel edges, the image padded with 0 so every contour closes). A stroke of width w and length L has ink ≈ w·L
// and outline ≈ 2(L + w), so this reads ≈ w for long strokes and slightly less for short ones (a filled w×h
// rectangle gives 2wh / (2(w + h) - 4 + 2√2), corners being cut at 45°). Chosen over ink / skeleton length
// because the contour length is nearly rotation-invariant: a diagonal stroke reads as wide as a horizontal one,
// whereas pixel-counted skeletons and 4-neighbour perimeters are off by √2 at 45°. 0 for an empty image.
double stroke_thickness(const Image& img, float threshold = kInkThreshold);

// Length of the iso-contour at `level` (pixels), as used by stroke_thickness.
double contour_length(const Image& img, float level);

// Slant from the intensity-weighted second central moments: -μ11 / μ02 with x = column, y = row (downward).
// It is the shear that deskewing undoes, read as "horizontal pixels per pixel of height, positive when the
// top leans right" (a "/" stroke is positive, a "\" stroke negative). 0 for an empty image or a single row.
double slant(const Image& img);

// Width and height (pixels) of the smallest box holding every pixel >= threshold; 0 if there is none.
double bbox_width(const Image& img, float threshold = kInkThreshold);
double bbox_height(const Image& img, float threshold = kInkThreshold);

// A point in pixel coordinates (x = column, y = row).
struct Centre {
    double x = 0, y = 0;
};

// The intensity-weighted centre of mass; the image centre ((W - 1)/2, (H - 1)/2) for an image with no ink.
Centre centre_of_mass(const Image& img);

// The mean of the images' centres of mass over a batch [N, side²] (images with no ink are skipped; the image centre
// if none has ink): "the data's own centre", e.g. (14.0, 14.0) rather than (13.5, 13.5) for MNIST.
Centre mean_centre_of_mass(const nn::Tensor<float>& images);

// Distance (pixels) of the intensity-weighted centre of mass from `centre`; 0 for an empty image.
// compute_property measures it from the batch's mean_centre_of_mass, so a typical digit reads about 0, not 0.7.
double centroid_offset(const Image& img, Centre centre);

// The built-in properties, by name, for the CLI and the probe tables.
enum class Property { InkMass, Thickness, Slant, BBoxWidth, BBoxHeight, CentroidOffset };

const char* property_name(Property p);    // "ink_mass", "thickness", "slant", "bbox_width", "bbox_height", "centroid_offset"
const char* property_units(Property p);   // "pixels of full ink", "pixels", "horizontal pixels per pixel of height", ...
Property parse_property(const std::string& name);  // throws std::invalid_argument listing the valid names
std::vector<Property> all_properties();

// One property of every image in a batch [N, side²] (square images, e.g. [N, 784]); returns N values.
// CentroidOffset is measured from the batch's own mean_centre_of_mass.
std::vector<double> compute_property(const nn::Tensor<float>& images, Property p);

}  // namespace sensitivity::probes
