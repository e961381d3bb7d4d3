using SparseCore.Pass.Baselines;

namespace SparseCore.Pass.Methods;

/// <summary>
/// `slim`: network slimming (Liu et al. 2017) — the dense weights trained on for --slim-epochs with
/// λ·Σ|γ| added (<see cref="SlimPenalty"/>), then ranked by |γ| (<see cref="ChannelImportance.BnScale"/>)
/// at one global threshold. The slimmed weights are what the extraction reads, so they are kept in
/// the run folder for a resumed run.
/// </summary>
public sealed class SlimMethod : GlobalRanking
{
    /// <summary>Slimming trains the dense weights in place; a resumed run extracts from these, not dense.safetensors.</summary>
    public const string SlimmedFileName = "slimmed.safetensors";

    protected override float[] Scores(MethodContext context)
    {
        var s = context.Options;
        if (s.SlimEpochs > 0)
        {
            context.Log($"slim: {s.SlimEpochs} epochs of sparsity training (λ = {s.SlimLambda}) on {context.Data.SearchIndices.Length} images");
            PenalisedTraining.Run(context, s.SlimEpochs, SlimPenalty.Gradient(context.Dense, context.Graph, s.SlimLambda), "slimming (sparsity training)", SlimmedFileName);
        }
        return ChannelImportance.BnScale(context.Dense, context.Graph);
    }

    protected override StageOneCost Cost(MethodContext context) => new(context.Options.SlimEpochs, context.Data.SearchIndices.Length);

    public override void Restore(MethodContext context)
    {
        if (context.Options.SlimEpochs > 0) PenalisedTraining.Restore(context, SlimmedFileName, "slimming");
    }
}
