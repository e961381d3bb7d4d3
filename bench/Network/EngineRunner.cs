using System.Diagnostics;
using SparseCore.Kernels.Cpu;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Bench.Network;

/// <summary>
/// The engine's side: each network built by <see cref="ModelZoo"/> on one <see cref="CpuBackend"/>
/// (threads = cores) with Nesterov SGD at `train`'s default settings — the PyTorch peer is handed
/// the same <see cref="LearningRate"/>, <see cref="Momentum"/> and <see cref="WeightDecay"/> — and
/// one fixed batch per batch size uploaded once: the peers too keep their inputs in place, so no
/// side times a host copy in. Every step runs inside its own <see cref="TensorScope"/>, so memory
/// stays flat over a block.
/// </summary>
internal sealed class EngineRunner : INetworkRunner
{
    public const string Title = "engine";
    public const float LearningRate = 0.05f, Momentum = 0.9f, WeightDecay = 5e-4f;
    private const ulong Seed = 1;
    private const int SettleBatch = 8, SettleSteps = 3;

    private readonly CpuBackend backend = new();
    private readonly Dictionary<string, (Module Net, Sgd Optimizer)> networks = [];
    private readonly Dictionary<int, BatchData> batches = [];
    private Action step = () => { };

    public string Name => Title;

    public bool Supports(NetworkCase c) => true;

    public string? Prepare(NetworkCase c)
    {
        var (net, optimizer) = Entry(c.Model);
        var data = Batch(c.Batch);
        net.Train(c.Mode == NetworkMode.Train);
        step = c.Mode == NetworkMode.Train ? () => TrainStep(net, optimizer, data) : () => InferStep(net, data);
        return null;
    }

    public double Run(int warm, int steps)
    {
        for (int i = 0; i < warm; i++) step();
        backend.Synchronize();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) step();
        backend.Synchronize();
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The network named <paramref name="model"/> as it stands now (for an export of its current weights).</summary>
    public Module Network(string model) => Entry(model).Net;

    private (Module Net, Sgd Optimizer) Entry(string model)
    {
        if (!networks.TryGetValue(model, out var entry))
        {
            var net = ModelZoo.Create(model, new ModuleInit(backend, Seed), NetworkCase.Channels, NetworkCase.Height, NetworkCase.Width, NetworkCase.Classes);
            var optimizer = new Sgd(net.Parameters(), LearningRate, Momentum, WeightDecay, nesterov: true);
            // A few steps first so the batch-norm running statistics and affine parameters are no
            // longer 0, 1, 1, 0: an export checked against untouched batch-norms would prove little.
            var settle = Batch(SettleBatch);
            for (int i = 0; i < SettleSteps; i++) TrainStep(net, optimizer, settle);
            networks[model] = entry = (net, optimizer);
        }
        return entry;
    }

    /// <summary>The pixels of the fixed batch of <paramref name="size"/> images (what ORT is fed too).</summary>
    public float[] Pixels(int size) => Batch(size).Pixels;

    /// <summary>The eval-mode logits of <paramref name="model"/> on the fixed batch of <paramref name="size"/>, copied.</summary>
    public float[] EvalLogits(string model, int size)
    {
        var net = Network(model);
        var data = Batch(size);
        bool training = net.Training;
        net.Eval();
        InferStep(net, data);
        net.Train(training);
        return (float[])data.Logits.Clone();
    }

    private static void TrainStep(Module net, Sgd optimizer, BatchData data)
    {
        using var scope = new TensorScope();
        var loss = F.CrossEntropy(net.Forward(data.X), data.Labels);
        loss.Backward();
        optimizer.Step();
        optimizer.ZeroGrad();
    }

    private void InferStep(Module net, BatchData data)
    {
        using var noGrad = Autograd.NoGrad();
        using var scope = new TensorScope();
        var logits = net.Forward(data.X);
        backend.Download(logits.Buffer, data.Logits);
    }

    private BatchData Batch(int size)
    {
        if (!batches.TryGetValue(size, out var data))
            batches[size] = data = new BatchData(backend, size);
        return data;
    }

    public void Dispose()
    {
        foreach (var data in batches.Values) data.Dispose();
        foreach (var (net, optimizer) in networks.Values)
        {
            optimizer.Dispose();
            net.Dispose();
        }
        backend.Dispose();
    }

    /// <summary>One fixed batch: seeded uniform pixels in [0, 1) and labels, on the device, and a host array the logits are read back into.</summary>
    private sealed class BatchData : IDisposable
    {
        public BatchData(CpuBackend backend, int size)
        {
            var rng = new Random(size);
            Pixels = new float[size * NetworkCase.Channels * NetworkCase.Height * NetworkCase.Width];
            for (int i = 0; i < Pixels.Length; i++) Pixels[i] = rng.NextSingle();
            var labels = new int[size];
            for (int i = 0; i < size; i++) labels[i] = rng.Next(NetworkCase.Classes);
            // Made outside any scope: owned here, released by Dispose.
            X = Tensor.FromArray(backend, Pixels, new Shape(size, NetworkCase.Channels, NetworkCase.Height, NetworkCase.Width));
            Labels = IntTensor.Labels(backend, labels, NetworkCase.Classes);
            Logits = new float[size * NetworkCase.Classes];
        }

        public float[] Pixels { get; }
        public Tensor X { get; }
        public IntTensor Labels { get; }
        public float[] Logits { get; }

        public void Dispose()
        {
            X.Dispose();
            Labels.Dispose();
        }
    }
}
