using SparseCore.Kernels;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Ilgpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Baselines;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests.Baselines;

/// <summary>
/// GrowReg's and DepGraph's per-step penalties run on the device: on ILGPU's simulator a step waits
/// for the device 0 times and moves nothing between host and device (the host loops they replace
/// read every coupled weight and gradient back and uploaded the gradient again), and on both
/// backends they add bit for bit what those host loops added — <see cref="HostReference"/> keeps
/// them here as the reference. ResNet-8 with zero-padding shortcuts, so that DepGraph's shared units
/// span masks of different widths.
/// </summary>
public class CoupledPenaltyDeviceTests
{
    public static TheoryData<string> Backends => new() { "cpu", "ilgpu" };

    private static Backend Create(string name) => name == "cpu" ? new CpuBackend() : IlgpuBackend.CreateCpuSimulator();

    private static ResNet Model(Backend backend) => new(new ModuleInit(backend, 5), ResNetSpec.Cifar(8), InputSpec.For(3, 8, 8), 10);

    /// <summary>Gives every parameter a random gradient G through Σ p·G.</summary>
    private static void Backward(Module model)
    {
        using var scope = new TensorScope();
        Tensor? loss = null;
        int seed = 90;
        foreach (var p in model.Parameters())
        {
            var g = BaselineKit.Random(p.Value.Size, seed++, -1f, 1f);
            var term = F.SumAll(F.Mul(p.Value, Tensor.FromArray(p.Value.Backend, g, p.Value.Shape)));
            loss = loss is null ? term : F.Add(loss, term);
        }
        loss!.Backward();
    }

    private static Dictionary<Parameter, float[]> Gradients(Module model) =>
        model.Parameters().ToDictionary<Parameter, Parameter, float[]>(p => p, p => p.Grad!.ToArray(), ReferenceEqualityComparer.Instance);

    /// <summary>Runs <paramref name="step"/>, asserting on ILGPU that it neither waited nor transferred.</summary>
    private static void Step(Backend backend, Action step)
    {
        backend.Synchronize();
        long waits = backend.HostWaits, transfers = backend.HostTransfers;
        step();
        Assert.Equal(0, backend.HostWaits - waits);
        Assert.Equal(0, backend.HostTransfers - transfers);
    }

    private static void AssertGradients(Module model, Dictionary<Parameter, float[]> expected)
    {
        foreach (var (name, p) in model.NamedParameters())
            Assert.True(expected[p].AsSpan().SequenceEqual(p.Grad!.ToArray()), $"{name}: the device penalty differs from the host loop's");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void GrowRegs_step_waits_for_nothing_and_adds_what_the_host_loop_added(string backendName)
    {
        using var backend = Create(backendName);
        using var model = Model(backend);
        var graph = ChannelGraph.Of(model);
        var removed = Enumerable.Range(0, graph.TotalChannels).Select(c => c % 3 == 1).ToArray();
        using var penalty = new GrowingPenalty(model, graph, removed, new GrowingSchedule(0.3f, 1, 1f));
        Backward(model);
        var expected = Gradients(model);
        var reference = new HostReference(model, graph);
        for (int n = 1; n <= 2; n++)
        {
            Step(backend, () => penalty.Apply(model));
            float twice = 2 * penalty.Lambda;
            reference.AddToGradients(removed.Select(r => r ? twice : 0f).ToArray(), expected);
        }
        AssertGradients(model, expected);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void DepGraphs_step_waits_for_nothing_and_adds_what_the_host_loop_added(string backendName)
    {
        using var backend = Create(backendName);
        using var model = Model(backend);
        var graph = ChannelGraph.Of(model);
        const float lambda = 5e-2f;
        using var step = GroupSparsity.Gradient(model, graph, ResidualMode.Shared, lambda);
        Backward(model);
        var expected = Gradients(model);
        Step(backend, () => step.Apply(model));
        var reference = new HostReference(model, graph);
        var scales = HostReference.Scales(graph, GroupSparsity.UnitNorms(reference.SumSquares(), ChannelCoupling.Of(graph, ResidualMode.Shared)));
        Assert.Contains(scales, s => s > 1); // the weights are random: the units' norms differ
        reference.AddToGradients(scales.Select(s => (float)(lambda * s)).ToArray(), expected);
        AssertGradients(model, expected);
    }

    /// <summary>
    /// The host loops CoupledParameters and GroupSparsity ran before the penalties moved to the
    /// device, unchanged in their arithmetic: parameters in the order the graph's masks reach them,
    /// each one's mask slices (rows, or a reader's input columns), sums in double, coefficients in float.
    /// </summary>
    private sealed class HostReference
    {
        private sealed record Slice(int Offset, int Channels, int? Outputs);

        private readonly List<(Parameter Parameter, List<Slice> Slices)> parameters = new();
        private readonly int total;

        public HostReference(Module model, ChannelGraph graph)
        {
            var layers = new BackboneLayers(model, graph, "reference");
            total = graph.TotalChannels;
            var offsets = new int[graph.Masks.Count];
            for (int i = 1; i < offsets.Length; i++) offsets[i] = offsets[i - 1] + graph.Masks[i - 1].Channels;
            var byParameter = new Dictionary<Parameter, List<Slice>>(ReferenceEqualityComparer.Instance);
            void Add(Parameter? p, int mask, int? outputs = null)
            {
                if (p is null) return;
                if (!byParameter.TryGetValue(p, out var slices))
                {
                    byParameter[p] = slices = new List<Slice>();
                    parameters.Add((p, slices));
                }
                slices.Add(new Slice(offsets[mask], graph.Masks[mask].Channels, outputs));
            }
            foreach (var mask in graph.Masks)
            {
                foreach (var layer in mask.Layers.Select(graph.Layer))
                {
                    Add(layers.WeightParameter(layer), mask.Id);
                    Add(layers.BiasParameter(layer), mask.Id);
                    Add(layers.Norm(layer)?.Weight, mask.Id);
                    Add(layers.Norm(layer)?.Bias, mask.Id);
                }
                foreach (var reader in graph.Layers.Where(l => l.InputMask == mask.Id))
                    Add(layers.WeightParameter(reader), mask.Id, reader.OutChannels);
            }
        }

        public double[] SumSquares()
        {
            var sums = new double[total];
            foreach (var (p, slices) in parameters)
            {
                var w = p.Value.ToArray();
                foreach (var slice in slices) Visit(slice, w.Length, (k, c) => sums[c] += (double)w[k] * w[k]);
            }
            return sums;
        }

        /// <summary>Adds coefficient[c]·w to the host copies of the gradients, skipping frozen parameters and those whose coefficients are all zero.</summary>
        public void AddToGradients(float[] coefficient, Dictionary<Parameter, float[]> grads)
        {
            foreach (var (p, slices) in parameters)
            {
                if (p.Frozen || !slices.Any(s => coefficient.AsSpan(s.Offset, s.Channels).ContainsAnyExcept(0f))) continue;
                var w = p.Value.ToArray();
                var g = grads[p];
                foreach (var slice in slices) Visit(slice, w.Length, (k, channel) => g[k] += coefficient[channel] * w[k]);
            }
        }

        public static double[] Scales(ChannelGraph graph, double[] norms)
        {
            var scales = new double[norms.Length];
            int offset = 0;
            foreach (var mask in graph.Masks)
            {
                var span = norms.AsSpan(offset, mask.Channels);
                double max = double.MinValue, min = double.MaxValue;
                foreach (double n in span)
                {
                    max = Math.Max(max, n);
                    min = Math.Min(min, n);
                }
                for (int c = 0; c < mask.Channels; c++)
                    scales[offset + c] = max > min ? Math.Pow(GroupSparsity.MaxScale, (max - span[c]) / (max - min)) : 1;
                offset += mask.Channels;
            }
            return scales;
        }

        private static void Visit(Slice slice, int length, Action<int, int> visit)
        {
            if (slice.Outputs is not int outputs)
            {
                int row = length / slice.Channels;
                for (int k = 0; k < length; k++) visit(k, slice.Offset + k / row);
                return;
            }
            int inner = length / (outputs * slice.Channels);
            for (int k = 0; k < length; k++) visit(k, slice.Offset + k / inner % slice.Channels);
        }
    }
}
