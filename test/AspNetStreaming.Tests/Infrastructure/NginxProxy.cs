using System.Diagnostics;
using System.Net.Sockets;

namespace AspNetStreaming.Tests.Infrastructure;

/// <summary>A real nginx (installed by <c>.ci/run</c>) in front of one app, configured as Microsoft's "Host ASP.NET Core
/// on Linux with Nginx" page says: HTTP/1.1 to the app with <c>Connection: keep-alive</c>, the forwarded headers set.
/// One worker in the foreground, its files in a folder of its own; stopped when disposed.</summary>
internal sealed class NginxProxy : IDisposable
{
    private readonly Process _process;

    private NginxProxy(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<NginxProxy> StartAsync(Uri upstream, string folder, TimeSpan readTimeout)
    {
        const string nginx = "/usr/sbin/nginx";
        Assert.True(File.Exists(nginx), "nginx is not installed (apt-get install -y nginx; .ci/run does)");
        Directory.CreateDirectory(folder);
        var port = LoopbackPorts.Free();
        var config = Path.Join(folder, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            error_log {{folder}}/error.log warn;
            pid {{folder}}/nginx.pid;
            events { worker_connections 64; }
            http {
              access_log off;
              client_body_temp_path {{folder}}/body; proxy_temp_path {{folder}}/proxy;
              fastcgi_temp_path {{folder}}/fastcgi; uwsgi_temp_path {{folder}}/uwsgi; scgi_temp_path {{folder}}/scgi;
              client_max_body_size 0;
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass {{upstream.GetLeftPart(UriPartial.Authority)}};
                  proxy_http_version 1.1;
                  proxy_set_header Upgrade $http_upgrade;
                  proxy_set_header Connection keep-alive;
                  proxy_set_header Host $host;
                  proxy_cache_bypass $http_upgrade;
                  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                  proxy_set_header X-Forwarded-Proto $scheme;
                  proxy_read_timeout {{(int)readTimeout.TotalSeconds}}s;
                }
              }
            }
            """);
        var process = Process.Start(new ProcessStartInfo(nginx, ["-c", config, "-p", folder]) { UseShellExecute = false })!;
        var proxy = new NginxProxy(process, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await Eventually.AssertAsync(() => !process.HasExited && Listens(port), "nginx listens");
            return proxy;
        }
        catch
        {
            proxy.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static bool Listens(int port)
    {
        try
        {
            using var probe = new TcpClient("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
