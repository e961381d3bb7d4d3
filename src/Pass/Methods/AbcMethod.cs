using SparseCore.Models.Data;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Pass.Baselines;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Pipeline;
using SparseCore.Pass.Unstructured;
using SparseCore.Tensors;
using static System.FormattableString;

namespace SparseCore.Pass.Methods;

/// <summary>
/// `abc`: ABCPruner (Lin et al., IJCAI 2020) — an artificial bee colony (<see cref="BeeColony"/>)
/// searching per-layer widths, one level 1…10 (10 %…100 %) per width group
/// (<see cref="WidthGroups"/>: a mask, or in shared mode a residual stream's masks together). Every
/// candidate is projected onto the run's budget (<see cref="WidthGroups.Project"/>: its shares scaled
/// by one factor until the kept units, or the extracted MACs, just fit), its channels chosen within
/// each group by filter L1 (<see cref="ChannelImportance.L1"/>; the authors' l1_pretrain rule), and
/// scored by the accuracy of the dense network masked to it after --abc-finetune-steps SGD steps on
/// the search images, measured on search images held out from those steps (the last fifth of the
/// --search-subset, at most 1,000) — not on the validation split that reports the run, nor on the
/// test set as the authors' code does. Every candidate starts from the dense weights and sees the
/// same batches, so candidates differ only in their widths; the dense weights are put back after each.
/// The best candidate's masks are the selection; the fine-tuned weights are not kept (stage 2 fine-
/// tunes the extracted network as for every method). The search is not resumable mid-way: a resumed
/// run without masks.json searches again.
/// </summary>
public sealed class AbcMethod : PruningMethod
{
    /// <summary>Held-out search images per candidate, at most.</summary>
    public const int MaxHeldOut = 1000;

    public override SelectionKind Kind => SelectionKind.Channels;

    public override void Validate(PruneOptions options)
    {
        if (options.RoundChannels != 1)
            throw new ArgumentException("--round-channels: abc searches per-layer widths by its own rule, not through the global channel selection that rounds kept counts");
        int search = options.SearchSubset > 0 && options.TrainSubset > 0 ? Math.Min(options.SearchSubset, options.TrainSubset) : Math.Max(options.SearchSubset, options.TrainSubset);
        if (search is > 0 and < 5) throw TooFew(search);
    }

    public override Selection Select(MethodContext context)
    {
        var s = context.Options;
        var budget = context.Budget;
        var (train, heldOut) = Split(context.Data.SearchIndices);
        var groups = new WidthGroups(context.Graph, budget.Coupling, ChannelImportance.L1(context.Dense, context.Graph));
        Func<float[], bool> fits = budget.IsFlopsBudget
            ? mask => context.MacsOf(budget.Split(mask)) <= budget.TargetMacs
            : mask => groups.KeptUnits(mask) <= budget.Target;
        var colony = new BeeColonyOptions(s.AbcSources, s.AbcCycles, s.AbcLimit, s.Seed);
        context.Log(Invariant($"abc: bee colony over {groups.Count} width groups, {s.AbcSources} food sources, {s.AbcCycles} cycles, limit {s.AbcLimit}: ") +
                         Invariant($"at most {colony.MaxEvaluations} candidates, each fine-tuned {s.AbcFinetuneSteps} steps (batch {s.BatchSize}) on {train.Length} search images ") +
                         Invariant($"and scored on {heldOut.Length} held out"));

        using var loader = context.Data.Loader(train, s.BatchSize, (long)s.Seed);
        using var heldOutLoader = new DataLoader(context.Data.Train, s.BatchSize, shuffle: false, indices: heldOut);
        var scorer = new CandidateScorer(context, loader, heldOutLoader);
        var byWidths = new Dictionary<string, double>();
        double Fitness(int[] levels)
        {
            var keep = groups.Project(levels, colony.Levels, fits);
            string key = string.Join(',', keep);
            if (!byWidths.TryGetValue(key, out double accuracy)) byWidths[key] = accuracy = scorer.Accuracy(groups.Mask(keep));
            return accuracy;
        }
        var result = BeeColony.Search(groups.Count, colony, Fitness,
            (cycle, best, fitness) => context.Log(Invariant($"abc: cycle {cycle}/{s.AbcCycles}: best held-out accuracy {fitness:P2} at levels [{string.Join(' ', best)}]")));
        var mask = groups.Mask(groups.Project(result.Best, colony.Levels, fits));
        context.Log(Invariant($"abc: {byWidths.Count} distinct width vectors fine-tuned and scored ({result.Evaluations} level vectors); best {result.Fitness:P2}, ") +
                         Invariant($"keeping {groups.KeptUnits(mask)} of {budget.Coupling.UnitCount} units"));
        context.Dense.Eval();
        return new ChannelSelection(budget.Split(mask), null, new StageOneCost(0, byWidths.Count * scorer.ImagesPerCandidate));
    }

    /// <summary>The search images split into the fine-tuning ones and the held-out last fifth (at most <see cref="MaxHeldOut"/>).</summary>
    private static (int[] Train, int[] HeldOut) Split(int[] search)
    {
        int heldOut = Math.Min(MaxHeldOut, search.Length / 5);
        if (heldOut == 0) throw TooFew(search.Length);
        return (search[..^heldOut], search[^heldOut..]);
    }

    private static ArgumentException TooFew(int images) =>
        new($"--search-subset: abc scores candidates on a fifth of the search images, held out from their fine-tuning; {images} images leave none");

    /// <summary>A candidate's fitness: the dense network masked to it, fine-tuned briefly, evaluated on the held-out images, then put back.</summary>
    private sealed class CandidateScorer(MethodContext context, DataLoader train, DataLoader heldOut)
    {
        private readonly ModuleSnapshot dense = new(context.Dense);

        /// <summary>Images one candidate's fine-tuning sees (the last batch of an epoch may be short).</summary>
        public int ImagesPerCandidate { get; private set; }

        public double Accuracy(float[] mask)
        {
            var s = context.Options;
            var model = context.Dense;
            using var maskTensor = Tensor.FromArray(context.Backend, mask, new Shape(mask.Length));
            double accuracy;
            using (new MaskApplier(model, context.Graph, maskTensor))
            {
                int images = 0;
                if (s.AbcFinetuneSteps > 0)
                {
                    using var opt = new Sgd(model.Parameters(), s.FinetuneLr, 0.9f, s.FinetuneWeightDecay);
                    var trainer = new Trainer(model, opt, null, new TrainerOptions { Epochs = 1, Stage = "ABCPruner candidate fine-tuning" });
                    model.Train();
                    for (int epoch = 1, step = 0; step < s.AbcFinetuneSteps; epoch++)
                        foreach (var batch in train.Epoch(epoch))
                        {
                            trainer.Step(batch, step);
                            images += batch.Count;
                            if (++step == s.AbcFinetuneSteps) break;
                        }
                }
                ImagesPerCandidate = images;
                accuracy = Trainer.Evaluate(model, heldOut).Accuracy;
            }
            dense.Restore();
            return accuracy;
        }
    }
}
