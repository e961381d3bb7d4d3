namespace SparseCore.Models.Training;

/// <summary>One row of metrics.csv.</summary>
public sealed record EpochMetrics(
    int Epoch, double TrainLoss, double TrainAccuracy, double? EvalLoss, double? EvalAccuracy,
    double LearningRate, double Seconds, double SamplesPerSecond);
