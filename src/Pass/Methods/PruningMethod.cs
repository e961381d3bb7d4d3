using SparseCore.Pass.Pipeline;

namespace SparseCore.Pass.Methods;

/// <summary>What a method prunes, and so what the pipeline does with its selection.</summary>
public enum SelectionKind
{
    /// <summary>Channel masks: the network is extracted to its kept channels before stage 2.</summary>
    Channels,

    /// <summary>Weight masks (one per prunable weight tensor): they stay masks through stage 2 and into the checkpoint.</summary>
    Weights,
}

/// <summary>
/// A pruning method: stage 1 of a prune run. It turns the dense network, the data and the budget
/// (all in a <see cref="MethodContext"/>) into a <see cref="Selection"/>; the pipeline
/// (<see cref="PruneRun"/>) does the rest — saving the selection as the run's resume point,
/// extraction (channel masks), stage 2, measures and the summary. A method is registered by name in
/// <see cref="PruningMethods"/>: adding one is one class and one registration line.
/// </summary>
public abstract class PruningMethod
{
    public abstract SelectionKind Kind { get; }

    /// <summary>Refuses options this method cannot run with (an ArgumentException naming the option), before anything runs.</summary>
    public virtual void Validate(PruneOptions options)
    {
    }

    /// <summary>Stage 1: the selection at the context's budget.</summary>
    public abstract Selection Select(MethodContext context);

    /// <summary>
    /// On a resumed run whose selection was saved: put back what <see cref="Select"/> changed outside
    /// the selection (slimming trains the dense weights the extraction then reads).
    /// </summary>
    public virtual void Restore(MethodContext context)
    {
    }
}
