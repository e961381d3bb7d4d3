using SparseCore.Kernels.Memory;
using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;

namespace SparseCore.Pass.Baselines;

/// <summary>
/// GrowReg's λ schedule (Wang et al., ICLR 2021, GReg-1): λ starts at 0 and grows by
/// <see cref="Delta"/> after every <see cref="Interval"/> steps until it reaches
/// <see cref="Ceiling"/>, so step n (counted from 1) trains with min(ceiling, ⌊n / interval⌋·Δ).
/// </summary>
public sealed record GrowingSchedule(float Delta, int Interval, float Ceiling)
{
    /// <summary>λ of the <paramref name="step"/>-th step (from 1).</summary>
    public float LambdaAt(int step) => (float)Math.Min(Ceiling, step / Interval * (double)Delta);
}

/// <summary>
/// GrowReg's penalty: λ·‖w_c‖² on every parameter coupled to a channel c chosen for removal (its
/// filters and biases in every conv sharing the mask, their batch-norms' γ and β, and the input
/// columns of the layers reading it: <see cref="CoupledParameters"/>), with λ on a
/// <see cref="GrowingSchedule"/>. Applied as its gradient 2λ·w added between loss.Backward() and
/// optimizer.Step(), as slimming's penalty is (<see cref="SlimPenalty"/>); the kept channels'
/// parameters are untouched, except a weight element that reads a removed channel (a reader's input
/// column) and so belongs to its group too. The whole group rather than the filters alone (the
/// paper's) is penalised because removal takes the whole group: a zeroed filter followed by
/// batch-norm still outputs β, so only γ and β going to zero make removing the channel harmless.
/// A step runs on the device and waits for nothing: the removal pattern (1 on removed channels) is
/// uploaded once and scaled by 2λ as a launch argument. Owns device buffers: dispose it after training.
/// </summary>
public sealed class GrowingPenalty : IDisposable
{
    private readonly Module backbone;
    private readonly CoupledParameters coupled;
    private readonly bool[] removed;
    private readonly DeviceBuffer<float> pattern;
    private readonly bool[] touched;

    /// <param name="removed">Per channel of the masks' concatenation, whether it is chosen for removal.</param>
    public GrowingPenalty(Module backbone, ChannelGraph graph, IReadOnlyList<bool> removed, GrowingSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(removed);
        Schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));
        if (!(float.IsFinite(schedule.Delta) && schedule.Delta > 0)) throw new ArgumentOutOfRangeException(nameof(schedule), schedule.Delta, "GrowReg's Δ must be finite and positive");
        if (schedule.Interval < 1) throw new ArgumentOutOfRangeException(nameof(schedule), schedule.Interval, "GrowReg's interval must be at least one step");
        if (!(float.IsFinite(schedule.Ceiling) && schedule.Ceiling > 0)) throw new ArgumentOutOfRangeException(nameof(schedule), schedule.Ceiling, "GrowReg's ceiling must be finite and positive");
        if (removed.Count != graph.TotalChannels)
            throw new ArgumentException($"GrowReg penalty: expected a removal flag per channel of {graph.Model} ({graph.TotalChannels}), got {removed.Count}");
        this.backbone = backbone;
        coupled = new CoupledParameters(backbone, graph, "GrowReg penalty");
        this.removed = removed.ToArray();
        pattern = coupled.Backend.Allocate<float>(this.removed.Length);
        coupled.Backend.Upload<float>(this.removed.Select(r => r ? 1f : 0f).ToArray(), pattern);
        touched = coupled.Touched(this.removed);
    }

    public GrowingSchedule Schedule { get; }

    /// <summary>Steps applied so far.</summary>
    public int Steps { get; private set; }

    /// <summary>λ of the last step applied (0 before the first).</summary>
    public float Lambda => Schedule.LambdaAt(Steps);

    /// <summary>One step's penalty gradient: hand it to TrainerOptions.AfterBackward.</summary>
    public void Apply(Module model)
    {
        if (!ReferenceEquals(model, backbone))
            throw new ArgumentException($"GrowReg penalty: built for one model of {coupled.Graph.Model}, called with another", nameof(model));
        Steps++;
        float twice = 2 * Lambda;
        if (twice == 0) return;
        // 2λ·1 and 2λ·0 are exact, so the coefficients are the host's removed ? 2λ : 0.
        coupled.AddToGradients(pattern, twice, touched);
    }

    /// <summary>
    /// √(Σ over removed channels of their groups' Σ w²) and the same over kept channels — how negligible
    /// the removed weights have become, for the log. A weight element in two groups (a reader's input
    /// column) counts in both. Reads the sums back (one wait): for the log before and after training, not per step.
    /// </summary>
    public (double Removed, double Kept) Norms()
    {
        var squares = coupled.SumSquares();
        double r = 0, k = 0;
        for (int c = 0; c < squares.Length; c++)
            if (removed[c]) r += squares[c];
            else k += squares[c];
        return (Math.Sqrt(r), Math.Sqrt(k));
    }

    public void Dispose()
    {
        pattern.Dispose();
        coupled.Dispose();
    }
}
