using SparseCore.Models.Data;

namespace SparseCore.Cli;

/// <summary>The validation split a run's --validation asks for, checked against the training set in the option's terms.</summary>
internal static class TrainingSplit
{
    /// <param name="validation">--validation; null for the default (5,000, or a tenth of a smaller set).</param>
    public static ValidationSplit Of(int trainingImages, int? validation, long seed)
    {
        int count = validation ?? ValidationSplit.DefaultCount(trainingImages);
        if (count >= trainingImages)
            throw new ArgumentException($"--validation {count} leaves no image to train on: the training set has {trainingImages}; hold out fewer");
        return new ValidationSplit(seed, count, trainingImages);
    }
}
