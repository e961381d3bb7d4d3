using SparseCore.Models.IO;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
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
            var data = context.Data;
            context.Log($"slim: {s.SlimEpochs} epochs of sparsity training (λ = {s.SlimLambda}) on {data.SearchIndices.Length} images");
            using var opt = new Sgd(context.Dense.Parameters(), s.FinetuneLr, 0.9f, s.FinetuneWeightDecay);
            using var loader = data.Loader(data.SearchIndices, s.BatchSize, (long)s.Seed);
            var trainer = new Trainer(context.Dense, opt, new CosineSchedule(s.SlimEpochs * loader.BatchCount),
                new TrainerOptions
                {
                    Epochs = s.SlimEpochs, AfterBackward = SlimPenalty.Gradient(context.Dense, context.Graph, s.SlimLambda),
                    Stage = "slimming (sparsity training)",
                },
                context.Progress());
            trainer.Fit(loader, null);
            context.Dense.Eval();
            Checkpoint.Save(Path.Combine(context.RunFolder, SlimmedFileName), context.Dense);
        }
        return ChannelImportance.BnScale(context.Dense, context.Graph);
    }

    protected override StageOneCost Cost(MethodContext context) => new(context.Options.SlimEpochs, context.Data.SearchIndices.Length);

    public override void Restore(MethodContext context)
    {
        if (context.Options.SlimEpochs == 0) return;
        string path = Path.Combine(context.RunFolder, SlimmedFileName);
        if (!File.Exists(path))
            throw new ArgumentException($"--resume: {context.RunFolder} has masks from slimming but no {SlimmedFileName} with the weights they were ranked on");
        Checkpoint.Load(path, context.Dense);
    }
}
