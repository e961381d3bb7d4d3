using SparseCore.Tensors;

namespace SparseCore.Pass.Masks;

/// <summary>
/// One step's masks: the hypernetwork's scores, the hard global top-k of them, and that mask as a
/// tensor whose backward is the straight-through estimator onto the scores. Tensors belong to the
/// scope they were made in (one optimisation step).
/// </summary>
public sealed class MaskSet
{
    private MaskSet(ChannelBudget budget, Tensor scores, Tensor mask, float[] values, float threshold, double sparsity)
    {
        Budget = budget;
        Scores = scores;
        Mask = mask;
        Values = values;
        Threshold = threshold;
        Sparsity = sparsity;
    }

    public ChannelBudget Budget { get; }

    /// <summary>Every distinct mask's channel scores, concatenated in graph order ([TotalChannels]).</summary>
    public Tensor Scores { get; }

    /// <summary>The 0/1 masks, concatenated like the scores; gradients reach <see cref="Scores"/> unchanged.</summary>
    public Tensor Mask { get; }

    /// <summary>The mask's values on the host.</summary>
    public IReadOnlyList<float> Values { get; }

    /// <summary>The global cut score this step (the next step's recurrence threshold).</summary>
    public float Threshold { get; }

    /// <summary>The unit sparsity this selection achieved (see <see cref="BudgetSelection.Sparsity"/>).</summary>
    public double Sparsity { get; }

    /// <summary>Kept channels of one distinct mask.</summary>
    public int KeptIn(int mask)
    {
        int kept = 0;
        for (int j = 0; j < Budget.Width(mask); j++) kept += Values[Budget.Offset(mask) + j] != 0f ? 1 : 0;
        return kept;
    }

    /// <summary>The hard global top-k of <paramref name="scores"/> with the straight-through gradient.</summary>
    public static MaskSet Select(ChannelBudget budget, Tensor scores)
    {
        if (scores.Rank != 1)
            throw new TensorShapeException("MaskSet", $"expects the concatenated scores [{budget.Total}], got {scores.Shape}");
        var selection = budget.Select(scores.ToArray());
        return new MaskSet(budget, scores, StraightThrough.Apply(scores, selection.Mask), selection.Mask, selection.Threshold, selection.Sparsity);
    }
}
