namespace SparseCore.Models.Training;

/// <summary>
/// Training produced a non-finite loss or weight. Thrown before anything is written for the epoch,
/// so the last good checkpoint stays as it was; the message names the stage, epoch and step.
/// </summary>
public sealed class TrainingDivergedException(string message) : InvalidOperationException(message);
