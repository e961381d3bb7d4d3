using SparseCore.Pass.Baselines;
using static System.FormattableString;

namespace SparseCore.Pass.Methods;

/// <summary>
/// `growreg`: pruning by growing regularisation (Wang et al., ICLR 2021, GReg-1). The channels to
/// remove are chosen first, by the budget's global ranking on group-L2
/// (<see cref="ChannelImportance.GroupL2"/>); the dense weights are then trained over the
/// --search-subset images for --growreg-epochs with λ·‖w‖² on those channels' coupled parameters
/// only (<see cref="GrowingPenalty"/>), λ growing by --growreg-delta every --growreg-interval steps
/// up to --growreg-ceiling, which drives them towards zero while the rest of the network learns to
/// do without them; then exactly those channels are removed. The trained weights are what the
/// extraction reads, so they are kept in the run folder for a resumed run.
/// </summary>
public sealed class GrowRegMethod : PruningMethod
{
    /// <summary>The weights after the growing penalty; a resumed run extracts from these, not dense.safetensors.</summary>
    public const string TrainedFileName = "growreg.safetensors";

    public override SelectionKind Kind => SelectionKind.Channels;

    public override Selection Select(MethodContext context)
    {
        var s = context.Options;
        var budget = context.Budget;
        var selected = budget.Select(ChannelImportance.GroupL2(context.Dense, context.Graph));
        if (s.GrowRegEpochs > 0)
        {
            var schedule = new GrowingSchedule(s.GrowRegDelta, s.GrowRegInterval, s.GrowRegCeiling);
            using var penalty = new GrowingPenalty(context.Dense, context.Graph, selected.Mask.Select(m => m == 0f).ToArray(), schedule);
            var (removedBefore, keptBefore) = penalty.Norms();
            context.Log(Invariant($"growreg: {budget.Coupling.UnitCount - selected.Kept} of {budget.Coupling.UnitCount} channel units chosen for removal by group-L2; {s.GrowRegEpochs} epochs on {context.Data.SearchIndices.Length} images ") +
                             Invariant($"with λ·‖w‖² on their groups, λ += {s.GrowRegDelta} every {s.GrowRegInterval} step(s) up to {s.GrowRegCeiling}"));
            PenalisedTraining.Run(context, s.GrowRegEpochs, penalty.Apply, "GrowReg (growing penalty)", TrainedFileName);
            var (removed, kept) = penalty.Norms();
            context.Log(Invariant($"growreg: λ = {penalty.Lambda:G4} after {penalty.Steps} steps; the removed channels' groups ‖w‖ {removedBefore:G4} → {removed:G4}, the kept ones' {keptBefore:G4} → {kept:G4}"));
        }
        return new ChannelSelection(budget.Split(selected.Mask), null, new StageOneCost(s.GrowRegEpochs, context.Data.SearchIndices.Length));
    }

    public override void Restore(MethodContext context)
    {
        if (context.Options.GrowRegEpochs > 0) PenalisedTraining.Restore(context, TrainedFileName, "GrowReg");
    }
}
