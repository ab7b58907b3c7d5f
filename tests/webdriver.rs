//! Just enough of the W3C WebDriver protocol, over plain HTTP, to drive the real window through
//! tauri-driver and WebKitWebDriver.

use std::{
    net::{TcpListener, TcpStream},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use std::os::unix::process::CommandExt;

use serde_json::{json, Value};

/// One real window at a time: WebKitWebDriver and the display are shared by the tests.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A running tauri-driver, stopped on drop.
pub struct Driver {
    child: Child,
    pub url: String,
    _turn: std::sync::MutexGuard<'static, ()>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Driver {
    /// Starts tauri-driver on free loopback ports, with `home` as the app's HOME (WebKit writes
    /// its caches there), and waits until it accepts connections.
    pub fn start(home: &Path) -> Driver {
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run the real-window tests under xvfb-run (scripts/test.sh does)"
        );
        let (port, native) = (free_port(), free_port());
        let child = Command::new("tauri-driver")
            // Its own process group, so that stopping it also stops the WebKitWebDriver it starts.
            .process_group(0)
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("HOME", home)
            .env_remove("XDG_DATA_HOME")
            .env_remove("XDG_CACHE_HOME")
            .env_remove("XDG_CONFIG_HOME")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("tauri-driver is not installed: cargo install tauri-driver --locked");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not listen on {port}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, url: format!("http://127.0.0.1:{port}"), _turn: turn }
    }

    /// Opens a session on the app, started with `args`.
    pub fn session(&self, app: &Path, args: &[&str]) -> Session {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": app.display().to_string(), "args": args}
        }}});
        // tauri-driver listens before the WebKitWebDriver behind it is ready: until then a new
        // session's connection is closed without an answer. Retry those, nothing else.
        let url = format!("{}/session", self.url);
        let deadline = Instant::now() + Duration::from_secs(30);
        let v = loop {
            match ureq::post(&url).timeout(Duration::from_secs(60)).send_json(caps.clone()) {
                Ok(r) => break r.into_json::<Value>().unwrap(),
                Err(ureq::Error::Transport(e)) if Instant::now() < deadline => {
                    eprintln!("new session not answered yet ({e}); retrying");
                    std::thread::sleep(Duration::from_millis(300));
                }
                Err(ureq::Error::Status(code, r)) => {
                    panic!("{url}: HTTP {code}: {}", r.into_string().unwrap_or_default())
                }
                Err(e) => panic!("{url}: {e}"),
            }
        };
        let id = v["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {v}")).to_owned();
        Session { base: format!("{}/session/{id}", self.url) }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
        let _ = self.child.wait();
    }
}

fn post(url: &str, body: Value) -> Value {
    match ureq::post(url).timeout(Duration::from_secs(60)).send_json(body) {
        Ok(r) => r.into_json().unwrap(),
        Err(ureq::Error::Status(code, r)) => panic!("{url}: HTTP {code}: {}", r.into_string().unwrap_or_default()),
        Err(e) => panic!("{url}: {e}"),
    }
}

fn get(url: &str) -> Value {
    match ureq::get(url).timeout(Duration::from_secs(60)).call() {
        Ok(r) => r.into_json().unwrap(),
        Err(ureq::Error::Status(code, r)) => panic!("{url}: HTTP {code}: {}", r.into_string().unwrap_or_default()),
        Err(e) => panic!("{url}: {e}"),
    }
}

/// A WebDriver session; deleted on drop (WebKitWebDriver allows only one at a time).
pub struct Session {
    base: String,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Session {
    /// Runs a script in the page and returns its value.
    pub fn script(&self, script: &str, args: Value) -> Value {
        post(&format!("{}/execute/sync", self.base), json!({"script": script, "args": args}))["value"].clone()
    }

    /// Waits until `script` returns a truthy value, and returns it.
    pub fn wait_for(&self, what: &str, script: &str, args: Value) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let v = self.script(script, args.clone());
            if !(v.is_null() || v == json!(false) || v == json!("") || v == json!([]) || v == json!(0)) {
                return v;
            }
            if Instant::now() >= deadline {
                let page = self.script(
                    "return {search: document.getElementById('global-search')?.value, \
                     hits: document.querySelector('[data-testid=search-results]')?.innerText, \
                     error: document.querySelector('.error:not([hidden])')?.innerText}",
                    json!([]),
                );
                panic!("timed out waiting for {what}; the page shows {page}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The first element matching a CSS selector.
    pub fn find(&self, css: &str) -> String {
        let v = post(&format!("{}/element", self.base), json!({"using": "css selector", "value": css}));
        v["value"][ELEMENT].as_str().unwrap_or_else(|| panic!("no element {css}: {v}")).to_owned()
    }

    pub fn type_into(&self, element: &str, text: &str) {
        post(&format!("{}/element/{element}/value", self.base), json!({"text": text}));
    }

    pub fn click(&self, element: &str) {
        post(&format!("{}/element/{element}/click", self.base), json!({}));
    }

    pub fn text(&self, element: &str) -> String {
        get(&format!("{}/element/{element}/text", self.base))["value"].as_str().unwrap_or_default().to_owned()
    }

    /// A PNG screenshot of the window.
    pub fn screenshot(&self, path: &Path) {
        use base64::Engine;
        let v = get(&format!("{}/screenshot", self.base));
        let png = base64::engine::general_purpose::STANDARD.decode(v["value"].as_str().unwrap()).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.base).timeout(Duration::from_secs(20)).call();
    }
}

impl Session {
    /// Clicks at a point of the window (CSS pixels): a real pointer action, as a user's.
    pub fn click_at(&self, x: i64, y: i64) {
        post(
            &format!("{}/actions", self.base),
            json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": [
                {"type": "pointerMove", "origin": "viewport", "x": x, "y": y, "duration": 0},
                {"type": "pointerDown", "button": 0},
                {"type": "pointerUp", "button": 0}
            ]}]}),
        );
        let _ = ureq::delete(&format!("{}/actions", self.base)).call();
    }
}
