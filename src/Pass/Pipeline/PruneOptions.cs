using System.Globalization;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Methods;
using SparseCore.Pass.Prompts;

namespace SparseCore.Pass.Pipeline;

/// <summary>What a budget counts: the share of channels (or, for a weight method, of prunable weights) removed, or the share of the dense MACs kept.</summary>
public enum BudgetKind
{
    /// <summary>Prune round(s·units): channel units for channel methods, prunable weights for weight methods.</summary>
    Sparsity,

    /// <summary>Keep this fraction r of the dense MACs in the extracted network (channel methods).</summary>
    Flops,
}

/// <summary>A budget: its kind and value (s in [0, 1) or r in (0, 1)).</summary>
public sealed record PruneBudget(BudgetKind Kind, double Value)
{
    public override string ToString() => Kind == BudgetKind.Sparsity
        ? string.Create(CultureInfo.InvariantCulture, $"sparsity {Value}")
        : string.Create(CultureInfo.InvariantCulture, $"{Value} of the dense MACs");
}

/// <summary>
/// Everything a prune run is asked, as one value every stage reads: the method (a name in
/// <see cref="PruningMethods"/>), the backbone, the budget, the residual mode and the recipe. Error
/// messages name the command-line option that sets each field, as the command line binds them one to one.
/// </summary>
public sealed record PruneOptions
{
    public required string Method { get; init; }
    public required string Model { get; init; }

    /// <summary>The data's name, for the record (the datasets themselves come with the job).</summary>
    public required string Data { get; init; }

    public required PruneBudget Budget { get; init; }
    public ulong Seed { get; init; }
    public ResidualMode Mode { get; init; } = ResidualMode.Shared;
    public int DenseEpochs { get; init; } = 10;
    public int SearchEpochs { get; init; } = 50;
    public int SearchSubset { get; init; }
    public int TrainSubset { get; init; }
    public int FinetuneEpochs { get; init; } = 50;
    public int BatchSize { get; init; } = 128;
    public float FinetuneLr { get; init; } = 1e-2f;
    public float FinetuneWeightDecay { get; init; } = 5e-4f;
    public string Prompt { get; init; } = "pad";
    public bool NoPrompt { get; init; }
    public bool Stage2Prompt { get; init; } = true;
    public bool Augment { get; init; }
    public int SlimEpochs { get; init; } = 1;
    public float SlimLambda { get; init; } = 1e-4f;

    /// <summary>--validation; null for the dense checkpoint's recorded split, else the default (5,000, or a tenth of a smaller set).</summary>
    public int? Validation { get; init; }

    public int LatencyBatch { get; init; } = 32;

    /// <summary>--round-channels K: kept channels per rounding group a multiple of K (see <see cref="Masks.ChannelBudget"/>); 1 rounds nothing.</summary>
    public int RoundChannels { get; init; } = 1;

    /// <summary>Score methods (vpns, hydra): Adam's rate and coupled L2 for the scores and the stage-1 prompt (VPNs' code: 1e-4 and 1e-4).</summary>
    public float ScoreLr { get; init; } = 1e-4f;

    public float ScoreWeightDecay { get; init; } = 1e-4f;

    /// <summary>--iteration: "paired" (VPNs' code: a prompted clean batch, then an unprompted augmented one) or "single" (one prompted augmented batch per step).</summary>
    public string Iteration { get; init; } = "paired";

    /// <summary>--test-prompt: whether the tested network runs behind its prompt; null for the method's own choice (VPNs' code tests without it, the others with).</summary>
    public bool? TestPrompt { get; init; }

    /// <summary>--label-map: "flm" (frequency label mapping, computed before stage 1) or "none" (the head's own classes, the default: the dense network here was trained on the target).</summary>
    public string? LabelMapping { get; init; }

    /// <summary>IMP: retraining epochs over the --search-subset images after each round.</summary>
    public int ImpEpochs { get; init; } = 1;

    /// <summary>--imp-trajectory: a folder IMP's rounds are shared through across densities (null: the run folder's imp/).</summary>
    public string? ImpTrajectory { get; init; }

    /// <summary>GrowReg: epochs of training over the --search-subset images with the growing penalty on the channels chosen for removal.</summary>
    public int GrowRegEpochs { get; init; } = 2;

    /// <summary>GrowReg: λ grows by this much every --growreg-interval steps (see <see cref="Baselines.GrowingSchedule"/>).</summary>
    public float GrowRegDelta { get; init; } = 1e-2f;

    public int GrowRegInterval { get; init; } = 1;

    /// <summary>GrowReg: the largest λ (the authors' code: 1).</summary>
    public float GrowRegCeiling { get; init; } = 1f;

    /// <summary>DepGraph: epochs of group-sparsity training over the --search-subset images before ranking.</summary>
    public int DepGraphEpochs { get; init; } = 1;

    /// <summary>DepGraph: the regulariser's λ (Torch-Pruning's reg; <see cref="Baselines.GroupSparsity"/>).</summary>
    public float DepGraphLambda { get; init; } = Baselines.GroupSparsity.TorchPruningLambda;

    /// <summary>ABCPruner: cycles of employed, onlooker and scout bees after the first food sources.</summary>
    public int AbcCycles { get; init; } = 4;

    /// <summary>ABCPruner: food sources (candidate width vectors) kept at once.</summary>
    public int AbcSources { get; init; } = 5;

    /// <summary>ABCPruner: SGD steps of the masked network before a candidate's accuracy is measured.</summary>
    public int AbcFinetuneSteps { get; init; } = 10;

    /// <summary>ABCPruner: a source not improved for this many trials is replaced by a scout's random one.</summary>
    public int AbcLimit { get; init; } = 3;

    /// <summary>Whether stage 2 pairs prompted clean and unprompted augmented batches: VPNs with --iteration paired.</summary>
    public bool PairedSteps => Method == "vpns" && Iteration == "paired" && Stage2Prompt;

    /// <summary>Whether the tested network runs behind its prompt.</summary>
    public bool PromptAtTest => TestPrompt ?? Method != "vpns";

    /// <summary>Whether stage 1 computes a frequency label mapping.</summary>
    public bool FrequencyMapping => LabelMapping == "flm";

    /// <summary>Channel sparsity s, when the budget is one.</summary>
    public double? Sparsity => Budget.Kind == BudgetKind.Sparsity ? Budget.Value : null;

    /// <summary>The kept fraction r of the dense MACs, when the budget is one.</summary>
    public double? Flops => Budget.Kind == BudgetKind.Flops ? Budget.Value : null;

    /// <summary>The method's label in reports: "pass-noprompt" for the ablation.</summary>
    public string Label => Method == "pass" && NoPrompt ? "pass-noprompt" : Method;

    /// <summary>The backbones whose channels can be pruned.</summary>
    public static IReadOnlyList<string> PrunableModels => ChannelGraph.SupportedModels;

    /// <param name="hasDense">Whether a dense network is given (or kept from an earlier attempt), so none need be trained.</param>
    public void Validate(bool hasDense)
    {
        if (!PruningMethods.Names.Contains(Method))
            throw new ArgumentException($"--method: unknown '{Method}'; choose one of {string.Join(", ", PruningMethods.Names)}");
        if (!PrunableModels.Contains(Model))
            throw new ArgumentException($"--model: '{Model}' cannot be pruned; choose one of {string.Join(", ", PrunableModels)}");
        if (Budget.Kind == BudgetKind.Sparsity && !(Budget.Value >= 0 && Budget.Value < 1)) throw new ArgumentException($"--sparsity must lie in [0, 1), got {Text(Budget.Value)}");
        if (Budget.Kind == BudgetKind.Flops && !(Budget.Value > 0 && Budget.Value < 1)) throw new ArgumentException($"--flops must lie in (0, 1), got {Text(Budget.Value)}");
        if (NoPrompt && Method != "pass") throw new ArgumentException("--no-prompt is PASS's ablation; the baselines learn no prompt in stage 1");
        foreach (var (name, value) in new[] { ("--dense-epochs", DenseEpochs), ("--search-epochs", SearchEpochs), ("--finetune-epochs", FinetuneEpochs), ("--slim-epochs", SlimEpochs) })
            if (value < 0) throw new ArgumentException($"{name} must be ≥ 0, got {value}");
        if (BatchSize <= 0) throw new ArgumentException($"--batch-size must be positive, got {BatchSize}");
        if (SearchSubset < 0) throw new ArgumentException($"--search-subset must be ≥ 0, got {SearchSubset}");
        if (TrainSubset < 0) throw new ArgumentException($"--train-subset must be ≥ 0, got {TrainSubset}");
        if (Validation < 0) throw new ArgumentException($"--validation must be ≥ 0, got {Validation}");
        if (!float.IsFinite(FinetuneLr) || FinetuneLr < 0) throw new ArgumentException($"--lr must be a finite number ≥ 0, got {Text(FinetuneLr)}");
        if (!float.IsFinite(FinetuneWeightDecay) || FinetuneWeightDecay < 0) throw new ArgumentException($"--weight-decay must be a finite number ≥ 0, got {Text(FinetuneWeightDecay)}");
        if (!float.IsFinite(SlimLambda) || SlimLambda < 0) throw new ArgumentException($"--slim-lambda must be a finite number ≥ 0, got {Text(SlimLambda)}");
        if (LatencyBatch <= 0) throw new ArgumentException($"--latency-batch must be positive, got {LatencyBatch}");
        if (RoundChannels < 1) throw new ArgumentException($"--round-channels must be ≥ 1, got {RoundChannels}");
        if (!float.IsFinite(ScoreLr) || ScoreLr <= 0) throw new ArgumentException($"--score-lr must be a finite number > 0, got {Text(ScoreLr)}");
        if (!float.IsFinite(ScoreWeightDecay) || ScoreWeightDecay < 0) throw new ArgumentException($"--score-weight-decay must be a finite number ≥ 0, got {Text(ScoreWeightDecay)}");
        if (Iteration is not ("paired" or "single")) throw new ArgumentException($"--iteration: expected paired or single, got '{Iteration}'");
        if (LabelMapping is not (null or "flm" or "none")) throw new ArgumentException($"--label-map: expected flm or none, got '{LabelMapping}'");
        if (ImpEpochs < 0) throw new ArgumentException($"--imp-epochs must be ≥ 0, got {ImpEpochs}");
        if (GrowRegEpochs < 0) throw new ArgumentException($"--growreg-epochs must be ≥ 0, got {GrowRegEpochs}");
        if (!float.IsFinite(GrowRegDelta) || GrowRegDelta <= 0) throw new ArgumentException($"--growreg-delta must be a finite number > 0, got {Text(GrowRegDelta)}");
        if (GrowRegInterval < 1) throw new ArgumentException($"--growreg-interval must be ≥ 1 step, got {GrowRegInterval}");
        if (!float.IsFinite(GrowRegCeiling) || GrowRegCeiling <= 0) throw new ArgumentException($"--growreg-ceiling must be a finite number > 0, got {Text(GrowRegCeiling)}");
        if (DepGraphEpochs < 0) throw new ArgumentException($"--depgraph-epochs must be ≥ 0, got {DepGraphEpochs}");
        if (!float.IsFinite(DepGraphLambda) || DepGraphLambda < 0) throw new ArgumentException($"--depgraph-lambda must be a finite number ≥ 0, got {Text(DepGraphLambda)}");
        if (AbcCycles < 0) throw new ArgumentException($"--abc-cycles must be ≥ 0, got {AbcCycles}");
        if (AbcSources < 2) throw new ArgumentException($"--abc-sources must be ≥ 2 (a bee moves relative to another source), got {AbcSources}");
        if (AbcFinetuneSteps < 0) throw new ArgumentException($"--abc-finetune-steps must be ≥ 0, got {AbcFinetuneSteps}");
        if (AbcLimit < 1) throw new ArgumentException($"--abc-limit must be ≥ 1, got {AbcLimit}");
        // Checked here, before a dense network is trained, rather than where the stages need them.
        if (!hasDense && DenseEpochs == 0)
            throw new ArgumentException("--dense-epochs 0 without --from: there is no dense network to prune");
        try { PromptSpec.Validate(Prompt); }
        catch (ArgumentException e) { throw new ArgumentException($"--prompt: {e.Message}", e); }
        var method = PruningMethods.Create(Method);
        if (method.Kind == SelectionKind.Weights && Budget.Kind == BudgetKind.Flops)
            throw new ArgumentException($"--flops: {Method} prunes weights, whose budget is --sparsity (the share of prunable weights removed)");
        if (method.Kind == SelectionKind.Weights && RoundChannels != 1)
            throw new ArgumentException($"--round-channels: {Method} prunes weights, not channels; kept channel counts are rounded for channel methods only");
        method.Validate(this);
    }

    /// <summary>
    /// Recorded in checkpoints and masks.json, so a run can be read back and repeated. Settings added
    /// after runs were recorded appear only away from their default (<see cref="Defaults"/>), so a run
    /// that does not use them writes the bytes it wrote before they existed.
    /// </summary>
    public IReadOnlyDictionary<string, string> ToDictionary()
    {
        var settings = Settings();
        foreach (var (key, value) in Later())
            if (value != Defaults[key]) settings[key] = value;
        return settings;
    }

    /// <summary>What a record without one of the later settings ran with.</summary>
    public static IReadOnlyDictionary<string, string> Defaults { get; } = new PruneOptions { Method = "", Model = "", Data = "", Budget = new(BudgetKind.Sparsity, 0) }.Later();

    /// <summary>The settings added after runs were recorded, each written only away from its default.</summary>
    private Dictionary<string, string> Later() => new()
    {
        ["round_channels"] = Text(RoundChannels),
        ["growreg_epochs"] = Text(GrowRegEpochs), ["growreg_delta"] = Text(GrowRegDelta), ["growreg_interval"] = Text(GrowRegInterval), ["growreg_ceiling"] = Text(GrowRegCeiling),
        ["depgraph_epochs"] = Text(DepGraphEpochs), ["depgraph_lambda"] = Text(DepGraphLambda),
        ["abc_cycles"] = Text(AbcCycles), ["abc_sources"] = Text(AbcSources), ["abc_finetune_steps"] = Text(AbcFinetuneSteps), ["abc_limit"] = Text(AbcLimit),
    };

    private Dictionary<string, string> Settings() => new()
    {
        ["method"] = Label, ["model"] = Model, ["data"] = Data, ["seed"] = Text(Seed),
        ["sparsity"] = Sparsity is double s ? Text(s) : "", ["flops"] = Flops is double r ? Text(r) : "",
        ["mode"] = ModeName(Mode), ["search_epochs"] = Text(SearchEpochs), ["search_subset"] = Text(SearchSubset), ["train_subset"] = Text(TrainSubset),
        ["finetune_epochs"] = Text(FinetuneEpochs), ["batch_size"] = Text(BatchSize), ["finetune_lr"] = Text(FinetuneLr),
        ["finetune_weight_decay"] = Text(FinetuneWeightDecay), ["prompt"] = Prompt, ["stage2_prompt"] = Stage2Prompt ? "true" : "false",
        ["slim_epochs"] = Text(SlimEpochs), ["slim_lambda"] = Text(SlimLambda),
        ["score_lr"] = Text(ScoreLr), ["score_weight_decay"] = Text(ScoreWeightDecay), ["iteration"] = Iteration,
        ["test_prompt"] = PromptAtTest ? "true" : "false", ["label_map"] = FrequencyMapping ? "flm" : "none", ["imp_epochs"] = Text(ImpEpochs),
    };

    /// <summary>"shared" or "union", as --mode takes it.</summary>
    public static string ModeName(ResidualMode mode) => mode.ToString().ToLowerInvariant();

    private static string Text(IFormattable v) => v.ToString(null, CultureInfo.InvariantCulture);
}
