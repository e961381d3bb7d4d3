namespace SparseCore.Pass.Unstructured;

/// <summary>How scores (and a prompt) are trained in stage 1: VPNs' code defaults (docs/vpns.md).</summary>
public sealed record ScoreSearchOptions
{
    public int Epochs { get; init; } = 30;

    /// <summary>Adam with coupled L2 for the scores and the prompt alike: lr 1e-4, weight decay 1e-4.</summary>
    public float LearningRate { get; init; } = 1e-4f;

    public float WeightDecay { get; init; } = 1e-4f;

    /// <summary>VPNs' iteration: a prompted clean batch, then an unprompted augmented one (the source must be <see cref="Models.Data.PairedBatches"/>).</summary>
    public bool Paired { get; init; }

    /// <summary>Whether the per-epoch validation runs with the prompt (the test-time forward).</summary>
    public bool PromptAtTest { get; init; } = true;

    /// <summary>Where the per-epoch checkpoint and metrics go; null writes nothing.</summary>
    public string? RunFolder { get; init; }
}
