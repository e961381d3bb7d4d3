using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using SparseCore.Models.Zoo;

namespace SparseCore.Bench.Network;

/// <summary>
/// PyTorch as a peer: one persistent child process (bench/peers/torch_network.py, carried inside
/// this assembly and written to a temporary file) that reads a command per line and answers with
/// the seconds of the timed steps, measured in Python. Start-up and `import torch` happen once,
/// outside every timing, and blocks alternate with the engine's. PyTorch is never a dependency of
/// the engine: without it <see cref="TryStart"/> says why in one line and the run goes on.
/// </summary>
internal sealed class TorchRunner : INetworkRunner
{
    /// <summary>Debian's python3-torch installs for the system interpreter, not for a pyenv one earlier on PATH.</summary>
    public const string DefaultPython = "/usr/bin/python3";
    private const string ScriptResource = "torch_network.py";

    private readonly Process process;
    private readonly string script;
    private string command = "";

    private TorchRunner(Process process, string script, string version)
    {
        this.process = process;
        this.script = script;
        Version = version;
    }

    public const string Title = "PyTorch";

    public string Name => Title;

    /// <summary>torch.__version__ as the child reported it.</summary>
    public string Version { get; }

    /// <summary>Starts the peer with <paramref name="threads"/> intra-op threads; null and <paramref name="why"/> when it cannot run.</summary>
    public static TorchRunner? TryStart(string python, int threads, out string why)
    {
        string script = Path.Combine(Path.GetTempPath(), $"sparsecore-torch-network-{Environment.ProcessId}.py");
        using (var resource = typeof(TorchRunner).Assembly.GetManifestResourceStream(ScriptResource)
                              ?? throw new InvalidOperationException($"the bench assembly lacks its {ScriptResource} resource"))
        using (var file = File.Create(script))
            resource.CopyTo(file);

        var start = new ProcessStartInfo(python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
                 {
                     "-u", script, "--threads", Str(threads),
                     "--input", $"{NetworkCase.Channels},{NetworkCase.Height},{NetworkCase.Width}",
                     "--classes", Str(NetworkCase.Classes),
                     "--mean", Str(ModelZoo.FashionMnistMean), "--std", Str(ModelZoo.FashionMnistStd),
                     "--lr", Str(EngineRunner.LearningRate), "--momentum", Str(EngineRunner.Momentum),
                     "--weight-decay", Str(EngineRunner.WeightDecay),
                 })
            start.ArgumentList.Add(arg);
        try
        {
            var process = Process.Start(start)!;
            string? first = process.StandardOutput.ReadLine();
            if (first is not null && first.StartsWith("ready ", StringComparison.Ordinal))
            {
                why = "";
                return new TorchRunner(process, script, first["ready ".Length..]);
            }
            process.WaitForExit();
            int code = process.ExitCode;
            process.Dispose();
            why = first is null ? $"{python} exited with code {code} before it was ready"
                : first.StartsWith("error ", StringComparison.Ordinal) ? first["error ".Length..] : first;
        }
        catch (Win32Exception e)
        {
            why = $"cannot start {python}: {new Win32Exception(e.NativeErrorCode).Message}";
        }
        File.Delete(script);
        return null;
    }

    public bool Supports(NetworkCase c) => true;

    public string? Prepare(NetworkCase c)
    {
        command = $"{c.ModeName} {c.Model} {Str(c.Batch)}";
        return null;
    }

    public double Run(int warm, int steps)
    {
        process.StandardInput.WriteLine($"{command} {Str(warm)} {Str(steps)}");
        process.StandardInput.Flush();
        string answer = process.StandardOutput.ReadLine()
                        ?? throw new InvalidOperationException($"the PyTorch peer exited during '{command}'");
        if (answer.StartsWith("ok ", StringComparison.Ordinal)
            && double.TryParse(answer.AsSpan(3), NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds))
            return seconds;
        throw new InvalidOperationException($"the PyTorch peer failed '{command}': {answer}");
    }

    public void Dispose()
    {
        // End of input ends the child's command loop; it has no other state to save.
        process.StandardInput.Close();
        if (!process.WaitForExit(10_000)) process.Kill();
        process.Dispose();
        File.Delete(script);
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Str(float value) => value.ToString("R", CultureInfo.InvariantCulture);
}
