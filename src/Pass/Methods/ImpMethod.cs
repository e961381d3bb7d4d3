using System.Globalization;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Pipeline;
using SparseCore.Pass.Unstructured;

namespace SparseCore.Pass.Methods;

/// <summary>
/// `imp`: iterative magnitude pruning with rewinding (Frankle and Carbin, ICLR 2019; rewinding to
/// the pretrained weights, as for a pretrained network). Round i removes 20 % of the remaining
/// weights by global magnitude of the current weights, so the density after it is 0.8^i, except
/// that the last of ⌈log d / log 0.8⌉ rounds lands exactly on d; the survivors are then rewound to
/// the dense network's values (batch-norm included) and retrained for --imp-epochs over the
/// --search-subset images with the mask held, which gives the next round its magnitudes. The last
/// round's mask is the selection, on the rewound dense weights, so stage 2 starts where every other
/// method's does. Rounds before the last do not depend on the target density, so a trajectory
/// folder (<see cref="ImpTrajectory"/>, the run folder's imp/ or --imp-trajectory) serves every
/// density on it and a resumed run continues after its last finished round.
/// </summary>
public sealed class ImpMethod : PruningMethod
{
    public const double KeptPerRound = 0.8;

    public override SelectionKind Kind => SelectionKind.Weights;

    /// <summary>The density after each round for target density <paramref name="density"/>: 0.8, 0.64, …, then exactly d.</summary>
    public static double[] Schedule(double density)
    {
        if (!(density > 0 && density <= 1)) throw new ArgumentException($"IMP: density must lie in (0, 1], got {density}");
        if (density == 1) return [];
        int rounds = (int)Math.Ceiling(Math.Round(Math.Log(density) / Math.Log(KeptPerRound), 9));
        var d = new double[rounds];
        for (int i = 0; i < rounds - 1; i++) d[i] = Math.Pow(KeptPerRound, i + 1);
        d[^1] = density;
        return d;
    }

    public override Selection Select(MethodContext context)
    {
        var s = context.Options;
        var dense = context.Dense;
        var weights = PrunableWeights.Of(dense);
        long total = weights.Sum(w => (long)w.Size);
        var schedule = Schedule(1 - s.Sparsity!.Value);
        var rewind = new ModuleSnapshot(dense);
        var trajectory = new ImpTrajectory(s.ImpTrajectory ?? Path.Combine(context.RunFolder, ImpTrajectory.FolderName), ImpTrajectory.Settings(s, rewind.Fingerprint()));
        float[][] masks = weights.Select(w => Enumerable.Repeat(1f, w.Size).ToArray()).ToArray();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        int retrainedImages = 0;
        context.Log($"IMP: {schedule.Length} rounds to density {1 - s.Sparsity.Value:0.####} ({string.Join(", ", schedule.Select(d => d.ToString("0.####", CultureInfo.InvariantCulture)))}), " +
                    $"{s.ImpEpochs} retraining epoch(s) on {context.Data.SearchIndices.Length} images after each but the last; trajectory in {trajectory.Folder}");
        for (int round = 1; round <= schedule.Length; round++)
        {
            bool last = round == schedule.Length;
            if (!last && trajectory.TryLoad(round, dense, out var saved))
            {
                masks = weights.Select(w => saved[w.Name]).ToArray();
                context.Log($"IMP round {round}: density {schedule[round - 1]:0.####} from {trajectory.PathOf(round)}");
                continue;
            }
            // Rank by the current (retrained) magnitudes; removed weights score −1 so they stay removed.
            var scores = weights.Select((w, i) =>
            {
                var v = w.Parameter.Value.ToArray();
                for (int j = 0; j < v.Length; j++) v[j] = masks[i][j] == 0f ? -1f : Math.Abs(v[j]);
                return v;
            }).ToArray();
            masks = GlobalSelection.Masks(scores, GlobalSelection.RemovedCount(1 - schedule[round - 1], total));
            rewind.Restore();
            if (last) break;
            Retrain(context, round, PrunableWeights.ByName(weights, masks), trajectory);
            retrainedImages += s.ImpEpochs * context.Data.SearchIndices.Length;
        }
        rewind.Restore();
        dense.Eval();
        return new WeightSelection(PrunableWeights.ByName(weights, masks), null,
            new StageOneCost(s.ImpEpochs * Math.Max(0, schedule.Length - 1), retrainedImages, clock.Elapsed.TotalSeconds));
    }

    /// <summary>A round's retraining with the mask held, from the rewound weights; its product goes into the trajectory.</summary>
    private static void Retrain(MethodContext context, int round, Dictionary<string, float[]> masks, ImpTrajectory trajectory)
    {
        var s = context.Options;
        var data = context.Data;
        var dense = context.Dense;
        using var hold = new WeightMaskHold(dense, masks);
        if (s.ImpEpochs > 0)
        {
            using var opt = new Sgd(dense.Parameters(), s.FinetuneLr, 0.9f, s.FinetuneWeightDecay);
            using var loader = data.Loader(data.SearchIndices, s.BatchSize, (long)s.Seed + 100 + round, data.Augmentation());
            var trainer = new Trainer(dense, opt, new CosineSchedule(s.ImpEpochs * loader.BatchCount), new TrainerOptions
            {
                Epochs = s.ImpEpochs, AfterBackward = _ => hold.MaskGradients(), Stage = $"IMP round {round} (retraining)",
            }, context.Progress());
            trainer.Fit(loader, null);
        }
        dense.Eval();
        trajectory.Save(round, dense, hold);
        int kept = masks.Values.Sum(m => m.Count(v => v != 0f));
        context.Log($"IMP round {round}: {kept:N0} weights kept, retrained; saved {trajectory.PathOf(round)}");
    }
}
