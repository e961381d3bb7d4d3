using SparseCore.Pass.Masks;

namespace SparseCore.Pass.Search;

/// <summary>
/// Stage 1's settings, defaulting to the paper's (arXiv 2407.17412, Table 5): the prompt by SGD (lr 1e-2, weight
/// decay 0, momentum 0.9 — the VPNs default, the paper gives none), the hypernetwork by AdamW (lr
/// 1e-3, weight decay 1e-2), both on a cosine schedule over the whole search. The batch is the loader's.
/// </summary>
public sealed record SearchOptions
{
    public int Epochs { get; init; } = 50;
    public float PromptLearningRate { get; init; } = 1e-2f;
    public float PromptMomentum { get; init; } = 0.9f;
    public float PromptWeightDecay { get; init; }
    public float HypernetworkLearningRate { get; init; } = 1e-3f;
    public float HypernetworkWeightDecay { get; init; } = 1e-2f;

    /// <summary>False for the "no prompt" ablation: V stays zero (so x' = x and g_ω sees a constant) and only the hypernetwork learns.</summary>
    public bool TrainPrompt { get; init; } = true;

    public RecurrenceThreshold Recurrence { get; init; } = RecurrenceThreshold.PreviousStep;

    /// <summary>Folder for the per-epoch checkpoint (search.safetensors); null writes none.</summary>
    public string? RunFolder { get; init; }
}
