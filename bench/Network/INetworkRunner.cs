namespace SparseCore.Bench.Network;

/// <summary>
/// One contender of the whole-network benchmark — the engine or a peer — that the harness
/// alternates with the others. <see cref="Prepare"/> does a case's one-time work (building a
/// session, checking it computes what the engine does) outside any timing; <see cref="Run"/> then
/// times blocks of the prepared case.
/// </summary>
internal interface INetworkRunner : IDisposable
{
    /// <summary>The column title: "engine", "PyTorch", "ORT".</summary>
    string Name { get; }

    /// <summary>False for what the runner cannot do (ONNX Runtime does not train).</summary>
    bool Supports(NetworkCase c);

    /// <returns>A line for the progress log when the preparation checked something (ORT's logits), else null.</returns>
    string? Prepare(NetworkCase c);

    /// <summary>Runs <paramref name="warm"/> untimed steps, then <paramref name="steps"/> timed ones; returns the timed steps' seconds.</summary>
    double Run(int warm, int steps);
}
