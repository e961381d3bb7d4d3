using System.Globalization;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Prompts;

namespace SparseCore.Cli.Pruning;

/// <summary>Everything `sparsecore prune` was asked, as one value the pipeline stages read.</summary>
internal sealed record PruneSettings
{
    public static IReadOnlyList<string> Methods { get; } = ["pass", "l1", "group-l1", "slim", "group-l2", "uniform", "random"];

    public required string Method { get; init; }
    public required string Model { get; init; }
    public required string Data { get; init; }
    public string? Device { get; init; }
    public ulong Seed { get; init; }
    public double? Sparsity { get; init; }
    public double? Flops { get; init; }
    public ResidualMode Mode { get; init; } = ResidualMode.Shared;
    public string? From { get; init; }
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
    public string Output { get; init; } = "runs";
    public string? Resume { get; init; }

    /// <summary>The method's label in reports: "pass (no prompt)" for the ablation.</summary>
    public string Label => Method == "pass" && NoPrompt ? "pass-noprompt" : Method;

    public void Validate()
    {
        if (!Methods.Contains(Method))
            throw new ArgumentException($"--method: unknown '{Method}'; choose one of {string.Join(", ", Methods)}");
        if (!ChannelGraph.SupportedModels.Contains(Model))
            throw new ArgumentException($"--model: '{Model}' cannot be pruned; choose one of {string.Join(", ", ChannelGraph.SupportedModels)}");
        if (Sparsity is null == Flops is null)
            throw new ArgumentException("give exactly one budget: --sparsity s (channel sparsity) or --flops r (fraction of the dense MACs to keep)");
        if (Sparsity is double s && !(s >= 0 && s < 1)) throw new ArgumentException($"--sparsity must lie in [0, 1), got {Text(s)}");
        if (Flops is double r && !(r > 0 && r < 1)) throw new ArgumentException($"--flops must lie in (0, 1), got {Text(r)}");
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
        if (From is not null && !File.Exists(From)) throw new ArgumentException($"--from: no checkpoint at {From}");
        // Checked here, before a dense network is trained, rather than where the stages need them.
        if (Resume is null && From is null && DenseEpochs == 0)
            throw new ArgumentException("--dense-epochs 0 without --from: there is no dense network to prune");
        if (Method == "pass" && SearchEpochs == 0) throw new ArgumentException("--search-epochs must be ≥ 1 for --method pass");
        try { PromptSpec.Validate(Prompt); }
        catch (ArgumentException e) { throw new ArgumentException($"--prompt: {e.Message}", e); }
        if (Method == "pass" && Prompt == "none")
            throw new ArgumentException("--prompt none: PASS's hypernetwork reads the prompt; use --no-prompt for the ablation");
    }

    /// <summary>Recorded in checkpoints and masks.json, so a run can be read back and repeated.</summary>
    public IReadOnlyDictionary<string, string> ToDictionary() => new Dictionary<string, string>
    {
        ["method"] = Label, ["model"] = Model, ["data"] = Data, ["seed"] = Text(Seed),
        ["sparsity"] = Sparsity is double s ? Text(s) : "", ["flops"] = Flops is double r ? Text(r) : "",
        ["mode"] = ModeName(Mode), ["search_epochs"] = Text(SearchEpochs), ["search_subset"] = Text(SearchSubset), ["train_subset"] = Text(TrainSubset),
        ["finetune_epochs"] = Text(FinetuneEpochs), ["batch_size"] = Text(BatchSize), ["finetune_lr"] = Text(FinetuneLr),
        ["finetune_weight_decay"] = Text(FinetuneWeightDecay), ["prompt"] = Prompt, ["stage2_prompt"] = Stage2Prompt ? "true" : "false",
        ["slim_epochs"] = Text(SlimEpochs), ["slim_lambda"] = Text(SlimLambda),
    };

    /// <summary>"shared" or "union", as --mode takes it.</summary>
    public static string ModeName(ResidualMode mode) => mode.ToString().ToLowerInvariant();

    private static string Text(IFormattable v) => v.ToString(null, CultureInfo.InvariantCulture);
}
