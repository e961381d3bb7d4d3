using SparseCore.Models.Training;

namespace SparseCore.Pass.Masks;

/// <summary>A channel score handed to the budget is NaN or infinite: whatever produced it (a hypernetwork) diverged.</summary>
public sealed class NonFiniteScoreException(int index, float score)
    : NonFiniteValueException($"the channel score {index} is {score}", $"channel budget: score {index} is {score}; the hypernetwork diverged")
{
    public int Index { get; } = index;
    public float Score { get; } = score;
}
