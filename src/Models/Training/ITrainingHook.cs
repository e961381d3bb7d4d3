namespace SparseCore.Models.Training;

/// <summary>
/// What a training method adds to <see cref="Trainer"/>'s supervised step without a loop of its
/// own: PASS's stage 1, for one, draws channel masks from its hypernetwork before every forward
/// pass and keeps a threshold between steps.
/// </summary>
public interface ITrainingHook
{
    /// <summary>
    /// Called inside a step's tensor scope before the forward pass (after the learning rates are
    /// set) with the step's index within its epoch (0-based; a <see cref="Data.PairedBatches"/>
    /// source says by it which loader the batch came from); what it returns is disposed after the
    /// optimizers have stepped.
    /// </summary>
    IDisposable? BeginStep(int step);

    /// <summary>Called around each evaluation of the model (the per-epoch validation); the result is disposed after it.</summary>
    IDisposable? BeginEvaluation();

    /// <summary>The hook's own state as checkpoint settings (merged into <see cref="TrainerOptions.Settings"/>).</summary>
    IReadOnlyDictionary<string, string> SaveState();

    /// <summary>Takes back what <see cref="SaveState"/> wrote, from the checkpoint at <paramref name="path"/>.</summary>
    void RestoreState(string path, IReadOnlyDictionary<string, string> settings);
}
