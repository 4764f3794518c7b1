using System.Runtime.CompilerServices;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using AspNetStreaming.Transport.Informational;
using AspNetStreaming.Tests.Infrastructure;
using AspNetStreaming.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AspNetStreaming.Tests.Uploads;

/// <summary>A Kestrel host with the upload endpoints mapped into a temp root: PUT /u/{name}, POST /m, /r resumable
/// (IETF draft), /tus (tus 1.0).</summary>
internal sealed class UploadServer : IAsyncDisposable
{
    private UploadServer(KestrelHost host, string root)
    {
        Host = host;
        Root = root;
    }

    public KestrelHost Host { get; }

    public string Root { get; }

    public HttpClient Client => field ??= Host.CreateClient();

    public static async Task<UploadServer> StartAsync(string root, Dictionary<string, string?>? settings = null, bool informationalResponses = true,
        TestProtocol protocol = TestProtocol.Http11)
    {
        var values = new Dictionary<string, string?> { ["Root"] = root };
        foreach (var (key, value) in settings ?? [])
        {
            values[key] = value;
        }

        var section = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var bodyBytesSeen = new StrongBox<long>();
        var host = await KestrelHost.StartAsync(app =>
        {
            // Counts the request body bytes reads have handed to the app: Kestrel gives the app no byte that arrives
            // together with an early end (the read throws instead), so a test of what happens to bytes the app has seen
            // must wait for the app to have seen them.
            app.Use((context, next) =>
            {
                if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IRequestBodyPipeFeature>() is { } body)
                {
                    context.Features.Set<Microsoft.AspNetCore.Http.Features.IRequestBodyPipeFeature>(new CountedBody(body.Reader, bodyBytesSeen));
                }

                return next(context);
            });
            app.MapUpload("/u");
            app.MapMultipartUpload("/m");
            app.MapResumableUploads("/r");
            app.MapTusUploads("/tus");
        }, builder =>
        {
            builder.Services.AddStreamingUploads(section);
            if (informationalResponses)
            {
                builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.UseInformationalResponses()));
            }
        }, protocol);
        return new UploadServer(host, root) { _bodyBytesSeen = bodyBytesSeen };
    }

    private StrongBox<long> _bodyBytesSeen = new();

    /// <summary>The request body bytes the app's reads have seen so far (all requests together).</summary>
    public long BodyBytesSeen => Interlocked.Read(ref _bodyBytesSeen.Value);

    private sealed class CountedBody(System.IO.Pipelines.PipeReader inner, StrongBox<long> seen) : Microsoft.AspNetCore.Http.Features.IRequestBodyPipeFeature
    {
        public System.IO.Pipelines.PipeReader Reader { get; } = new Counting(inner, seen);

        private sealed class Counting(System.IO.Pipelines.PipeReader inner, StrongBox<long> seen) : System.IO.Pipelines.PipeReader
        {
            private long _reported; // bytes of the last buffer already counted
            private System.Buffers.ReadOnlySequence<byte> _last;

            public override async ValueTask<System.IO.Pipelines.ReadResult> ReadAsync(CancellationToken cancellationToken = default)
            {
                var result = await inner.ReadAsync(cancellationToken);
                Report(result);
                return result;
            }

            public override bool TryRead(out System.IO.Pipelines.ReadResult result)
            {
                var read = inner.TryRead(out result);
                if (read)
                {
                    Report(result);
                }

                return read;
            }

            public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

            public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
            {
                // What stays unconsumed is shown again by the next read: count only what is new there.
                _reported = _last.Slice(consumed).Length;
                inner.AdvanceTo(consumed, examined);
            }

            public override void CancelPendingRead() => inner.CancelPendingRead();

            public override void Complete(Exception? exception = null) => inner.Complete(exception);

            private void Report(System.IO.Pipelines.ReadResult result)
            {
                _last = result.Buffer;
                var length = result.Buffer.Length;
                if (length > _reported)
                {
                    Interlocked.Add(ref seen.Value, length - _reported);
                }

                _reported = length;
            }
        }
    }

    /// <summary>The temporary files of uploads in progress (nothing else may be left behind).</summary>
    public string[] TempFiles() => Directory.GetFiles(Root, ".upload-*");

    /// <summary>The files in the root (names), ignoring the resumable staging folder.</summary>
    public string[] Files() => [.. Directory.GetFiles(Root).Select(Path.GetFileName).Order()!];

    /// <summary>Whether a raw or multipart upload is being received (its temporary file exists in the root).</summary>
    public bool Receiving() => TempFiles().Length > 0;

    /// <summary>The resumable upload's id in <paramref name="location"/> (/r/{id}).</summary>
    public static string IdOf(string location) => location[(location.LastIndexOf('/') + 1)..];

    /// <summary>Whether an append to the resumable upload at <paramref name="location"/> is running.</summary>
    public bool Appending(string location) => Host.Services.GetRequiredService<ResumableUploadStore>().IsActive(IdOf(location));

    /// <summary>How many bytes of the resumable upload at <paramref name="location"/> are on disk.</summary>
    public long BytesOnDisk(string location)
    {
        var part = new FileInfo(((LocalResumableUploadStore)Host.Services.GetRequiredService<ResumableUploadStore>()).PartPath(IdOf(location)));
        return part.Exists ? part.Length : 0;
    }

    /// <summary>Sends a request by hand, writes <paramref name="bodyBytes"/> bytes of the body, waits until
    /// <paramref name="serverHasIt"/> says the server is handling them (a reset drops whatever the server's
    /// socket has not read yet), then resets the connection (a client abort at that point).</summary>
    public async Task AbortAfterAsync(string method, string path, long contentLength, byte[] body, int bodyBytes, Func<bool> serverHasIt, string extraHeaders = "")
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(Host.BaseAddress.Host, Host.BaseAddress.Port);
        var head = $"{method} {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: {contentLength}\r\n{extraHeaders}\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head));
        if (bodyBytes > 0)
        {
            await socket.SendAsync(body.AsMemory(0, bodyBytes));
        }

        await Eventually.AssertAsync(serverHasIt, "the server did not take the request before the abort");
        socket.LingerState = new LingerOption(true, 0); // RST: an abrupt client failure
        socket.Close();
    }

    /// <summary>Waits until <paramref name="condition"/> holds (the server notices an abort asynchronously).</summary>
    public Task WaitUntilLoggedAsync(Func<bool> condition, string what) => Eventually.AssertAsync(condition, what,
        details: () => "log: " + string.Join(" | ", Host.Logs.Entries.Where(e => e.EventId.Id >= 4000).Select(e => $"{e.EventId.Id} {e.Message} {e.Exception?.GetType().Name}")));

    public static byte[] RandomBytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static string Sha256Field(byte[] data) => $"sha-256=:{Convert.ToBase64String(SHA256.HashData(data))}:";

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}

/// <summary>A fact that runs only as root (it mounts a file system); otherwise skipped with the reason shown.</summary>
internal sealed class RootFactAttribute : FactAttribute
{
    public RootFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root")
        {
            Skip = "Needs root on Linux to mount a small tmpfs for the disk-full test (run the suite as root, as CI does).";
        }
    }
}
