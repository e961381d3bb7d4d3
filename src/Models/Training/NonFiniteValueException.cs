namespace SparseCore.Models.Training;

/// <summary>
/// A value computed inside a training step (a score, a threshold — anything but the loss, which
/// <see cref="Trainer"/> checks itself) is NaN or infinite. Thrown by the code that meets it;
/// <see cref="Trainer"/> turns it into a <see cref="TrainingDivergedException"/> naming the epoch and step.
/// </summary>
public class NonFiniteValueException(string what, string message) : ArgumentException(message)
{
    /// <summary>What went non-finite, as a clause: "channel score 3 is NaN".</summary>
    public string What { get; } = what;
}
