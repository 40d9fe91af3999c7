#pragma once

// The plan of (T(g), g) that each Newton step on the semi-dual reads (sinkhorn_newton.h):
// f = T(g) (f_i = -eps log sum_j b_j exp((g_j - C_ij) / eps)), the column sums of
// P_ij = a_i b_j exp((f_i + g_j - C_ij) / eps), and its rows' entries above 1e-6 of the row
// (a sparse plan for the Hessian). Two ways to read it:
//  - candidate lists: per row, the entries within exp(-60) of the row's largest when the lists
//    were made, at gRef; a pass reads only those, in double, until g has moved too far from gRef
//    for the lists to hold every entry above exp(-40) of its row, and they are remade (a pass over
//    the whole cost). A near-permutation plan (OTDD at eps 0.1) has ten to twenty candidates a
//    row, so a pass costs a few hundredths of a dense one on a 1000 x 1000 problem.
//  - dense passes over every tile in float, where the lists would hold more than an eighth of
//    the entries and more than a million (big plans far from permutations): there a listed entry
//    costs more than a dense pass's, and the lists cost memory. The steps are then judged by the
//    column error (float exponents leave the semi-dual's value too coarse).

#include "ot/cost_tiles.h"
#include "ot/sinkhorn.h"

#include <cstdint>
#include <vector>

namespace wb::ot {

struct NewtonPlan {
    std::vector<double> f, cols;
    std::vector<std::int64_t> rowEnd; // CSR rows of (index, pi): pi_ij = P_ij / a_i
    std::vector<std::int32_t> index;
    std::vector<float> pi;
};

class NewtonPlanReader {
public:
    // b: column weights; eps fixed for the reader's life. Holds a reference to cost.
    NewtonPlanReader(CostTiles& cost, const std::vector<double>& b, double eps);

    // The plan at g; false when the monitor asked to stop.
    bool read(const std::vector<double>& g, const std::vector<double>& a, NewtonPlan& plan,
              const SinkhornMonitor& monitor);
    // Whether the plans come from the candidate lists, whose f (double exponents) resolves the
    // semi-dual's value to about 1e-7 eps per row; the dense float passes do not.
    bool precise() const { return !m_dense; }

private:
    // h_j = g_j / eps + log b_j, in double and in float.
    void exponents(const std::vector<double>& g, std::vector<double>& hd,
                   std::vector<float>& hf) const;
    bool select(const std::vector<double>& g, const SinkhornMonitor& monitor);
    void readCandidates(const std::vector<double>& g, const std::vector<double>& a,
                        NewtonPlan& plan);
    bool readDense(const std::vector<double>& g, const std::vector<double>& a, NewtonPlan& plan,
                   const SinkhornMonitor& monitor);

    CostTiles& m_cost;
    std::vector<double> m_logB;
    double m_eps;
    bool m_dense = false;
    // The candidate lists (CSR by row) and the g they were made at.
    std::vector<double> m_gRef;
    std::vector<std::int64_t> m_rowEnd;
    std::vector<std::int32_t> m_index;
    std::vector<double> m_costs;
    // Scratch of readCandidates, kept between passes.
    std::vector<double> m_h, m_x, m_rowMax;
    std::vector<float> m_e;
};

} // namespace wb::ot
