using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using SparseCore.Bench.Onnx;
using SparseCore.Models.Zoo;

namespace SparseCore.Bench.Network;

/// <summary>
/// ONNX Runtime as the inference peer, running the engine's own network: <see cref="OnnxResNet"/>
/// exports it with its current weights, the session is set up as every ORT peer here
/// (<see cref="OrtPeer"/>: threads = cores, spinning off, all graph optimisations), input and
/// output are bound once over host arrays, and before any timing its logits on the engine's batch
/// must match the engine's eval-mode logits — otherwise the two would not be timing the same
/// network, and the run stops. ORT has no training, so training cases are not its.
/// </summary>
internal sealed class OrtRunner(EngineRunner engine) : INetworkRunner
{
    /// <summary>Largest |ORT − engine| logit allowed, relative to the largest |engine logit| (at least 1): float rounding of a folded batch-norm, not a different network.</summary>
    public const double Tolerance = 1e-3;

    private readonly List<IDisposable> owned = [];
    private Action run = () => { };

    public const string Title = "ORT";

    public string Name => Title;

    public bool Supports(NetworkCase c) => c.Mode == NetworkMode.Infer;

    public string? Prepare(NetworkCase c)
    {
        Release();
        var net = engine.Network(c.Model) as ResNet
                  ?? throw new NotSupportedException($"the ONNX export covers the model zoo's ResNets, not {c.Model}");
        var session = Own(OrtPeer.CreateSession(OnnxResNet.Build(net, c.Batch)));
        var runOptions = Own(new RunOptions());
        long[] xShape = [c.Batch, NetworkCase.Channels, NetworkCase.Height, NetworkCase.Width], yShape = [c.Batch, NetworkCase.Classes];
        var logits = new float[c.Batch * NetworkCase.Classes];
        OrtValue[] inputs = [Own(OrtValue.CreateTensorValueFromMemory(engine.Pixels(c.Batch), xShape))];
        OrtValue[] outputs = [Own(OrtValue.CreateTensorValueFromMemory(logits, yShape))];
        string[] inputNames = ["x"], outputNames = ["logits"];
        run = () => session.Run(runOptions, inputNames, inputs, outputNames, outputs);
        run();
        return Check(c, logits, engine.EvalLogits(c.Model, c.Batch));
    }

    public double Run(int warm, int steps)
    {
        for (int i = 0; i < warm; i++) run();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) run();
        return clock.Elapsed.TotalSeconds;
    }

    public void Dispose() => Release();

    private static string Check(NetworkCase c, float[] ort, float[] expected)
    {
        double diff = 0, scale = 1;
        for (int i = 0; i < expected.Length; i++)
        {
            diff = Math.Max(diff, Math.Abs((double)ort[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs((double)expected[i]));
        }
        if (!(diff <= Tolerance * scale))
            throw new InvalidOperationException(
                $"ONNX Runtime's {c.Model} logits at batch {c.Batch} differ from the engine's eval-mode logits by up to {diff:E2} (> {Tolerance:E0} × {scale:G4}): the exported graph is not the engine's network");
        return $"ORT's logits match the engine's eval-mode logits: max |difference| {diff:E2}, allowed {Tolerance * scale:E1}";
    }

    private T Own<T>(T resource) where T : IDisposable
    {
        owned.Add(resource);
        return resource;
    }

    private void Release()
    {
        for (int i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
        owned.Clear();
    }
}
