"""pointer_state.py [press|release|--after-intent TRACE_GLOB]: prints the mouse buttons held
on $DISPLAY as a bit mask (button 1 = 1, button 2 = 2, button 3 = 4 ...), read from the X
server with XQueryPointer. `press` / `release` first press or release button 1 through XTest
(tests use it to show that the query sees a held button); `--after-intent` first waits (up
to 30 s) until a run's trace.jsonl holds an "intent" event, then asks at once, so a loaded
machine cannot put seconds between the action starting and the question."""
import ctypes
import ctypes.util
import glob
import sys
import time

if len(sys.argv) > 2 and sys.argv[1] == "--after-intent":
    deadline = time.time() + 30
    while time.time() < deadline:
        if any('"type":"intent"' in open(f).read() for f in glob.glob(sys.argv[2])):
            break
        time.sleep(0.05)
    else:
        sys.exit("pointer_state: no intent event in %s" % sys.argv[2])
    time.sleep(0.3)  # the action's first X requests follow the synced intent line
    del sys.argv[1:]

x = ctypes.cdll.LoadLibrary(ctypes.util.find_library("X11"))
xt = ctypes.cdll.LoadLibrary(ctypes.util.find_library("Xtst"))
x.XOpenDisplay.restype = ctypes.c_void_p
x.XOpenDisplay.argtypes = [ctypes.c_char_p]
x.XDefaultRootWindow.restype = ctypes.c_ulong
x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
x.XCloseDisplay.argtypes = [ctypes.c_void_p]
u, i = ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int)
x.XQueryPointer.argtypes = [ctypes.c_void_p, ctypes.c_ulong, u, u, i, i, i, i, ctypes.POINTER(ctypes.c_uint)]
xt.XTestFakeButtonEvent.argtypes = [ctypes.c_void_p, ctypes.c_uint, ctypes.c_int, ctypes.c_ulong]

d = x.XOpenDisplay(None)
if not d:
    sys.exit("pointer_state: cannot open the display")
if len(sys.argv) > 1:
    xt.XTestFakeButtonEvent(d, 1, 1 if sys.argv[1] == "press" else 0, 0)
    x.XSync(d, 0)
r, c = ctypes.c_ulong(), ctypes.c_ulong()
a, b, e, f = ctypes.c_int(), ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
mask = ctypes.c_uint()
x.XQueryPointer(d, x.XDefaultRootWindow(d), ctypes.byref(r), ctypes.byref(c), ctypes.byref(a), ctypes.byref(b),
                ctypes.byref(e), ctypes.byref(f), ctypes.byref(mask))
print((mask.value >> 8) & 0x1f)
x.XCloseDisplay(d)
