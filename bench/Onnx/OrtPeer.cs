using Microsoft.ML.OnnxRuntime;

namespace SparseCore.Bench.Onnx;

/// <summary>
/// ONNX Runtime set up as the fair CPU peer: intra-op threads = cores, one inter-op thread,
/// sequential, all graph optimisations, and intra-op spinning off so its pool and ours do not
/// fight over two vCPUs.
/// </summary>
public static class OrtPeer
{
    public static InferenceSession CreateSession(byte[] model)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = Environment.ProcessorCount,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return new InferenceSession(model, options);
    }
}
