using CsCheck;
using Xunit.Abstractions;

namespace AspNetStreaming.Tests.Properties;

/// <summary>
/// How the property tests run: CsCheck's generators, driven case by case from a fixed seed per target, so every
/// machine and every run tries the same cases (a failure reproduces, CI never flakes). <c>Sample</c> itself would
/// seed all but the first case from the clock. A failure names its case and its CsCheck seed; rerun it with
/// <c>gen.Sample(assert, seed: "…")</c> to shrink it. The long mode (<c>ASPNETSTREAMING_PROPERTY_SCALE=50 dotnet test
/// --filter Properties</c>) runs fifty times as many cases, the first of them the same. Each target writes how many
/// cases it ran to the test output, which README quotes.
/// </summary>
internal static class PropertyRun
{
    /// <summary>The multiplier of every target's case count (1 unless the environment variable says more).</summary>
    public static int Scale { get; } = int.TryParse(Environment.GetEnvironmentVariable("ASPNETSTREAMING_PROPERTY_SCALE"), out var scale) && scale > 0 ? scale : 1;

    /// <summary>Runs <paramref name="assert"/> over <paramref name="cases"/> × <see cref="Scale"/> values of
    /// <paramref name="gen"/>, the i-th generated from PCG stream <paramref name="stream"/> with seed i, and reports the count.</summary>
    public static void Check<T>(ITestOutputHelper output, string target, Gen<T> gen, Action<T> assert, int cases, uint stream)
        => CheckAsync(output, target, gen, value =>
        {
            assert(value);
            return Task.CompletedTask;
        }, cases, stream).GetAwaiter().GetResult();

    /// <inheritdoc cref="Check{T}"/>
    public static async Task CheckAsync<T>(ITestOutputHelper output, string target, Gen<T> gen, Func<T, Task> assert, int cases, uint stream)
    {
        var total = (long)cases * Scale;
        for (ulong i = 0; i < (ulong)total; i++)
        {
            var pcg = new PCG(stream, i);
            var seed = pcg.ToString();
            var value = gen.Generate(pcg, null, out _);
            try
            {
                await assert(value);
            }
            catch (Exception error)
            {
                throw new Xunit.Sdk.XunitException($"{target}: case {i} (CsCheck seed {seed}) failed: {Print(value)}\n{error}");
            }
        }

        output.WriteLine($"{target}: {total} cases");
    }

    private static string Print<T>(T value) => CsCheck.Check.Print(value);
}
