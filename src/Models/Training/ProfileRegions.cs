namespace SparseCore.Models.Training;

/// <summary>
/// The region names the training loop opens on its backend (<c>Backend.Region</c>), so a profile
/// reads "backward · conv weight-gradient" or "data · bookkeeping"; one place so the CLI, the latency
/// probe and the tests agree on them.
/// </summary>
public static class ProfileRegions
{
    /// <summary>Loading, decoding and augmenting the next batch (the loader's enumerator).</summary>
    public const string Data = "data";
    /// <summary>Upload of the batch, the forward pass and the loss.</summary>
    public const string Forward = "forward";
    /// <summary>The tape's backward walk and what runs after it (gradient holds, penalties).</summary>
    public const string Backward = "backward";
    /// <summary>Every optimizer's step and zeroing of gradients.</summary>
    public const string Optimizer = "optimizer";
    /// <summary>A training step's remainder: the scope's release, the loss and accuracy read back.</summary>
    public const string Step = "step";
    /// <summary>Upload and forward of an evaluation batch (no tape).</summary>
    public const string EvaluationForward = "evaluation forward";
    /// <summary>An evaluation pass's remainder (loss and accuracy read back).</summary>
    public const string Evaluation = "evaluation";
}
