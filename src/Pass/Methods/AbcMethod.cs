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

    /// <summary>
    /// A candidate's fitness from its masks (one 0/1 vector per distinct mask), in place of the brief
    /// fine-tuning and held-out accuracy: how a test runs the whole search on a constructed problem
    /// whose best widths are known. Null (the method as registered): the accuracy. Must be ≥ 0.
    /// </summary>
    public Func<IReadOnlyList<float[]>, double>? Fitness { get; init; }

    public override Selection Select(MethodContext context)
    {
        var s = context.Options;
        var budget = context.Budget;
        var groups = new WidthGroups(context.Graph, budget.Coupling, ChannelImportance.L1(context.Dense, context.Graph));
        Func<float[], bool> fits = budget.IsFlopsBudget
            ? mask => context.MacsOf(budget.Split(mask)) <= budget.TargetMacs
            : mask => groups.KeptUnits(mask) <= budget.Target;
        var colony = new BeeColonyOptions(s.AbcSources, s.AbcCycles, s.AbcLimit, s.Seed);
        using var scorer = Fitness is null ? new CandidateScorer(context) : null;
        context.Log(Invariant($"abc: bee colony over {groups.Count} width groups, {s.AbcSources} food sources, {s.AbcCycles} cycles, limit {s.AbcLimit}: ") +
                    Invariant($"at most {colony.MaxEvaluations} candidates, each ") + (scorer?.Description ?? "scored by the given fitness"));
        Func<float[], double> score = Fitness is { } given ? mask => given(budget.Split(mask)) : scorer!.Accuracy;
        var byWidths = new Dictionary<string, double>();
        double Candidate(int[] levels)
        {
            var keep = groups.Project(levels, colony.Levels, fits);
            string key = string.Join(',', keep);
            if (!byWidths.TryGetValue(key, out double fitness)) byWidths[key] = fitness = score(groups.Mask(keep));
            return fitness;
        }
        var result = BeeColony.Search(groups.Count, colony, Candidate,
            (cycle, best, fitness) => context.Log(Invariant($"abc: cycle {cycle}/{s.AbcCycles}: best fitness {fitness:P2} at levels [{string.Join(' ', best)}]")));
        var mask = groups.Mask(groups.Project(result.Best, colony.Levels, fits));
        context.Log(Invariant($"abc: {byWidths.Count} distinct width vectors scored ({result.Evaluations} level vectors); best {result.Fitness:P2}, ") +
                    Invariant($"keeping {groups.KeptUnits(mask)} of {budget.Coupling.UnitCount} units"));
        context.Dense.Eval();
        return new ChannelSelection(budget.Split(mask), null, new StageOneCost(0, byWidths.Count * (scorer?.ImagesPerCandidate ?? 0)));
    }

    private static ArgumentException TooFew(int images) =>
        new($"--search-subset: abc scores candidates on a fifth of the search images, held out from their fine-tuning; {images} images leave none");

    /// <summary>
    /// A candidate's fitness: the dense network masked to it, fine-tuned briefly on the search images
    /// less the held-out last fifth (at most <see cref="MaxHeldOut"/>), its accuracy on that fifth,
    /// and the dense network put back.
    /// </summary>
    private sealed class CandidateScorer : IDisposable
    {
        private readonly MethodContext context;
        private readonly ModuleSnapshot dense;
        private readonly DataLoader train;
        private readonly DataLoader heldOut;

        public CandidateScorer(MethodContext context)
        {
            this.context = context;
            var s = context.Options;
            var search = context.Data.SearchIndices;
            int held = Math.Min(MaxHeldOut, search.Length / 5);
            if (held == 0) throw TooFew(search.Length);
            dense = new ModuleSnapshot(context.Dense);
            train = context.Data.Loader(search[..^held], s.BatchSize, (long)s.Seed);
            heldOut = new DataLoader(context.Data.Train, s.BatchSize, shuffle: false, indices: search[^held..]);
            Description = Invariant($"fine-tuned {s.AbcFinetuneSteps} steps (batch {s.BatchSize}) on {search.Length - held} search images and scored on {held} held out");
        }

        public string Description { get; }

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

        public void Dispose()
        {
            train.Dispose();
            heldOut.Dispose();
        }
    }
}
