namespace SparseCore.Models.Training;

/// <summary>What a progress display hears from the trainer.</summary>
public interface ITrainingObserver
{
    void EpochStarted(int epoch, int epochs, int steps);

    /// <summary>After each step, with running averages over the epoch so far.</summary>
    void StepCompleted(int epoch, int step, int steps, double loss, double accuracy, double samplesPerSecond);

    void EpochCompleted(EpochMetrics metrics);
}
