using SparseCore.Pass.Baselines;
using SparseCore.Pass.Hypernetwork;
using SparseCore.Tensors;

namespace SparseCore.Pass.Masks;

/// <summary>
/// One optimisation step's masks from the hypernetwork: builds the recurrence's in-masks by
/// <see cref="RecurrenceThreshold"/>, then takes the exact global top-k of the scores. Carries the
/// global cut between steps in <see cref="Threshold"/> (save it with a stage-1 checkpoint so that a
/// resumed run continues identically).
/// </summary>
public sealed class MaskGenerator
{
    public MaskGenerator(ChannelHypernetwork hypernetwork, double sparsity, RecurrenceThreshold recurrence = RecurrenceThreshold.PreviousStep)
        : this(hypernetwork, new ChannelBudget(hypernetwork.Graph, sparsity), recurrence)
    {
    }

    /// <param name="budget">A channel or FLOPs budget over <paramref name="hypernetwork"/>'s graph (its coupling decides shared or union masks).</param>
    public MaskGenerator(ChannelHypernetwork hypernetwork, ChannelBudget budget, RecurrenceThreshold recurrence = RecurrenceThreshold.PreviousStep)
    {
        ArgumentNullException.ThrowIfNull(budget);
        if (budget.Total != hypernetwork.Graph.TotalChannels)
            throw new ArgumentException($"mask generator: the budget counts {budget.Total} channels, the hypernetwork's graph has {hypernetwork.Graph.TotalChannels}");
        Hypernetwork = hypernetwork;
        Budget = budget;
        Recurrence = recurrence;
    }

    public ChannelHypernetwork Hypernetwork { get; }
    public ChannelBudget Budget { get; }
    public RecurrenceThreshold Recurrence { get; }

    /// <summary>The previous step's global cut score; null before the first step.</summary>
    public float? Threshold { get; set; }

    /// <summary>
    /// The previous step's achieved unit sparsity (0 before the first step): the share each layer
    /// drops in the <see cref="RecurrenceThreshold.PerLayer"/> in-masks under a FLOPs budget.
    /// </summary>
    public double LastSparsity { get; set; }

    /// <summary>This step's masks for prompt tensor <paramref name="prompt"/> (V itself, [C, H, W]); the next step's recurrence starts from them.</summary>
    public MaskSet Next(Tensor prompt)
    {
        var set = Draw(prompt);
        Threshold = set.Threshold;
        LastSparsity = set.Sparsity;
        return set;
    }

    /// <summary>
    /// The masks <see cref="Next"/> would give now, leaving <see cref="Threshold"/> and
    /// <see cref="LastSparsity"/> as they are: evaluating or exporting between steps must not
    /// change what the search trains on next.
    /// </summary>
    public MaskSet Peek(Tensor prompt) => Draw(prompt);

    private MaskSet Draw(Tensor prompt)
    {
        float? tau = Recurrence == RecurrenceThreshold.TwoPass || (Recurrence == RecurrenceThreshold.PreviousStep && Threshold is null)
            ? UnmaskedCut(prompt)
            : Threshold;
        // Both in-mask rules run on the device: no download per mask inside the step.
        var scores = Recurrence == RecurrenceThreshold.PerLayer
            ? Hypernetwork.ScoresKeepingTop(prompt, channels => UniformSelection.KeepCount(channels, Budget.IsFlopsBudget ? LastSparsity : Budget.Sparsity))
            : Hypernetwork.Scores(prompt, tau!.Value);
        return MaskSet.Select(Budget, scores);
    }

    private float UnmaskedCut(Tensor prompt)
    {
        using var scope = new TensorScope();
        using var noGrad = Autograd.NoGrad();
        return Budget.Select(Hypernetwork.Forward(prompt).ToArray()).Threshold;
    }
}
