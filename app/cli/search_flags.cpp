#include "search_flags.h"

namespace wb::cli {

void addSearchFlags(CLI::App& cmd, darts::SearchConfig& c)
{
    cmd.add_option("--channels", c.channels, "Initial channels C")->capture_default_str();
    cmd.add_option("--layers", c.layers, "Cells in the supernet")->capture_default_str();
    cmd.add_option("--nodes", c.nodes, "Intermediate nodes per cell")->capture_default_str();
    cmd.add_option("--primitives", c.primitives, "Op set (default: the 8 DARTS ops)")
        ->delimiter(',');
    cmd.add_option("--batch", c.batchSize, "Batch size")->capture_default_str();
    cmd.add_option("--epochs", c.epochs, "Search epochs")->capture_default_str();
    cmd.add_option("--steps-per-epoch", c.stepsPerEpoch, "0 = one pass over search-train")
        ->capture_default_str();
    cmd.add_option("--variant", c.variant,
                   "darts, pc-darts (partial channels + edge normalisation) or drnas (Dirichlet "
                   "op weights with a KL regulariser; first order)")
        ->check(CLI::IsMember(darts::searchVariants()))
        ->capture_default_str();
    cmd.add_option("--partial-channels", c.partialChannels,
                   "K: each edge's ops see 1/K of the channels (pc-darts default 4, drnas 1; "
                   "must divide --channels)");
    cmd.add_option(
           "--hessian-iterations", c.hessianIterations,
           "Power-iteration steps for the dominant eigenvalue of the validation loss' "
           "Hessian w.r.t. alpha after every epoch (DARTS-ES' collapse signal; 10 is a good "
           "start, each step costs about a forward and two backward passes of one batch); "
           "0 = off")
        ->capture_default_str();
    cmd.add_option("--stop-on", c.stopOn,
                   "collapse: stop early when the normal cell collapses (>= 3 skip connections, "
                   "> 60% parameter-free mass, or, with --hessian-iterations, DARTS-ES' "
                   "eigenvalue growth) and keep the previous epoch's genotype")
        ->check(CLI::IsMember({"collapse"}));
    cmd.add_option("--kl-weight", c.klWeight,
                   "drnas: weight of the KL term to the uniform Dirichlet in the alpha objective")
        ->capture_default_str();
    cmd.add_option("--order", c.order, "1 = first order, 2 = second order")->capture_default_str();
    cmd.add_option("--alpha-lr", c.alphaLr, "Adam learning rate of alpha")->capture_default_str();
    cmd.add_option("--alpha-budget", c.alphaStepBudget,
                   "Raise the alpha learning rate to BUDGET / (architecture steps of the run) "
                   "when that is larger: small datasets give few steps, and at 3e-4 alpha stays "
                   "near uniform; 0 = --alpha-lr as given")
        ->capture_default_str();
    cmd.add_option("--warmup-epochs", c.alphaWarmupEpochs,
                   "Epochs of weight steps only before the architecture steps start")
        ->capture_default_str();
    cmd.add_option("--beta-decay", c.betaDecay,
                   "beta-DARTS: alpha's objective gains w * (mean logsumexp of each edge's "
                   "alpha), w rising linearly from 0 towards this value over the epochs (the "
                   "reference: 25 over 50 epochs); darts and pc-darts; 0 = off")
        ->capture_default_str();
    cmd.add_option("--alpha-weight-decay", c.alphaWeightDecay,
                   "L2 weight decay of the architecture parameters (Adam)")
        ->capture_default_str();
    cmd.add_flag("!--val-running-bn", c.valBatchStats,
                 "Validate with BN running statistics (the DARTS reference) instead of batch "
                 "statistics");
}

} // namespace wb::cli
