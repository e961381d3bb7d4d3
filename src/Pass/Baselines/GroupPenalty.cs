using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Memory;
using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;

namespace SparseCore.Pass.Baselines;

/// <summary>
/// DepGraph's sparsity-training step (<see cref="GroupSparsity.Gradient"/>) on the device: each call
/// sums every channel's group squares (<see cref="CoupledParameters.DeviceSquares"/>), turns the
/// units' norms into per-channel coefficients λ·γ (<see cref="Kernels.Backend.UnitScales"/>, over
/// tables of the coupling's units uploaded once) and adds coefficient·w to the gradients, so a
/// training step reads nothing back; the host loop it replaces drained the stream twice per
/// parameter. The sums run in double in the host's order and the scale is the host's formula, so the
/// CPU backend adds exactly what the host computed. A non-finite weight is not refused per step (that
/// would be a read-back): the trainer's per-epoch divergence check catches it. Owns device buffers:
/// dispose it after training.
/// </summary>
public sealed class GroupPenalty : IDisposable
{
    private readonly Module backbone;
    private readonly ChannelGraph graph;
    private readonly float lambda;
    private readonly CoupledParameters coupled;
    private readonly ChannelUnits units;
    private readonly DeviceBuffer<float> coefficient;

    internal GroupPenalty(Module backbone, ChannelGraph graph, ChannelCoupling coupling, float lambda)
    {
        this.backbone = backbone;
        this.graph = graph;
        this.lambda = lambda;
        coupled = new CoupledParameters(backbone, graph, "DepGraph sparsity training");
        // Per channel, its unit's members in the coupling's order: the order the host summed them in.
        var members = new IReadOnlyList<int>[graph.TotalChannels];
        for (int p = 0; p < members.Length; p++) members[p] = coupling.Members(coupling.UnitOf(p));
        units = new ChannelUnits(coupled.Backend, graph.Masks.Select(m => m.Channels).ToArray(), members, coupled.Method);
        coefficient = coupled.Backend.Allocate<float>(graph.TotalChannels);
    }

    /// <summary>One step's penalty gradient: hand it to TrainerOptions.AfterBackward.</summary>
    public void Apply(Module model)
    {
        if (!ReferenceEquals(model, backbone))
            throw new ArgumentException($"DepGraph sparsity training: built for one model of {graph.Model}, called with another", nameof(model));
        if (lambda == 0) return;
        coupled.Backend.UnitScales(coupled.DeviceSquares(), units, lambda, GroupSparsity.MaxScale, coefficient);
        // γ ≥ 1 and λ > 0: no coefficient is zero, so no parameter is skipped for that.
        coupled.AddToGradients(coefficient, 1f);
    }

    public void Dispose()
    {
        coefficient.Dispose();
        units.Dispose();
        coupled.Dispose();
    }
}
