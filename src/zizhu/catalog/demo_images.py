"""Simple product drawings for the demo catalogue (Pillow): the product's outline in its
colour on a soft background, with the brand and a short English label underneath.

Only Pillow's built-in font is used (no system fonts needed), so labels are Latin; the
Chinese description of each image is in its alt text.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from PIL import Image, ImageDraw, ImageFont

SIZE = 480
Box = tuple[int, int, int, int]
Drawer = Callable[[ImageDraw.ImageDraw, str, str], None]


def _shade(hex_colour: str, factor: float) -> str:
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    if factor < 1:
        r, g, b = (int(c * factor) for c in (r, g, b))
    else:
        r, g, b = (int(c + (255 - c) * (factor - 1)) for c in (r, g, b))
    return f"#{r:02x}{g:02x}{b:02x}"


def _outline(colour: str) -> str:
    return _shade(colour, 0.55) if colour.lower() not in ("#1b1b1f",) else "#55555f"


def phone(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((170, 50, 310, 330), radius=26, fill=c, outline=o, width=5)
    d.rounded_rectangle((184, 70, 296, 300), radius=10, fill="#20242c")
    d.ellipse((232, 308, 248, 324), fill=o)


def shirt(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.polygon(
        [
            (160, 70),
            (205, 55),
            (275, 55),
            (320, 70),
            (380, 130),
            (345, 170),
            (320, 150),
            (320, 330),
            (160, 330),
            (160, 150),
            (135, 170),
            (100, 130),
        ],
        fill=c,
        outline=o,
        width=4,
    )
    d.arc((210, 40, 270, 90), 0, 180, fill=o, width=5)


def trousers(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.polygon(
        [(170, 55), (310, 55), (325, 330), (258, 330), (240, 150), (222, 330), (155, 330)], fill=c, outline=o, width=4
    )


def dress(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.polygon([(205, 55), (275, 55), (290, 150), (350, 330), (130, 330), (190, 150)], fill=c, outline=o, width=4)
    d.line((195, 150, 285, 150), fill=o, width=5)


def jacket(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    shirt(d, c, o)
    d.line((240, 70, 240, 330), fill=o, width=5)
    for y in (130, 190, 250):
        d.line((165, y, 315, y), fill=_shade(c, 0.85), width=3)


def shoe(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.polygon([(110, 160), (200, 150), (250, 210), (370, 240), (380, 290), (110, 290)], fill=c, outline=o, width=4)
    d.rectangle((110, 280, 380, 305), fill="#f2f2f2", outline=o, width=3)
    for x in (190, 215, 240):
        d.line((x, 175, x + 25, 165), fill=o, width=3)


def appliance(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((130, 90, 350, 320), radius=30, fill=c, outline=o, width=5)
    d.rounded_rectangle((170, 130, 310, 200), radius=12, fill="#20242c")
    d.ellipse((220, 230, 260, 270), fill=_shade(c, 0.8), outline=o, width=3)


def kettle(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.polygon([(180, 100), (300, 100), (320, 320), (160, 320)], fill=c, outline=o, width=5)
    d.arc((280, 130, 360, 260), 270, 90, fill=o, width=10)
    d.polygon([(180, 110), (130, 80), (140, 120)], fill=c, outline=o)
    d.rectangle((150, 315, 330, 335), fill=o)


def vacuum(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.line((300, 50, 220, 300), fill=o, width=12)
    d.rounded_rectangle((150, 290, 290, 330), radius=12, fill=c, outline=o, width=4)
    d.rounded_rectangle((255, 80, 335, 190), radius=20, fill=c, outline=o, width=4)


def fan(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.ellipse((150, 50, 330, 230), outline=o, width=6)
    for box in ((200, 70, 280, 140), (200, 140, 280, 210), (165, 110, 235, 170), (245, 110, 315, 170)):
        d.ellipse(box, fill=c)
    d.line((240, 230, 240, 310), fill=o, width=10)
    d.ellipse((180, 300, 300, 335), fill=c, outline=o, width=4)


def bag(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.polygon([(160, 80), (320, 80), (340, 330), (140, 330)], fill=c, outline=o, width=5)
    d.rectangle((160, 70, 320, 95), fill=_shade(c, 0.8), outline=o, width=3)
    d.rounded_rectangle((185, 160, 295, 250), radius=10, fill="#ffffff", outline=o, width=3)


def jar(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((165, 110, 315, 330), radius=30, fill=c, outline=o, width=5)
    d.rectangle((180, 80, 300, 115), fill=_shade(c, 0.7), outline=o, width=3)
    d.rounded_rectangle((185, 180, 295, 260), radius=8, fill="#ffffff", outline=o, width=3)


def carton(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.polygon([(180, 110), (300, 110), (300, 330), (180, 330)], fill="#ffffff", outline=o, width=5)
    d.polygon([(180, 110), (240, 60), (300, 110)], fill=c, outline=o, width=4)
    d.rectangle((180, 200, 300, 260), fill=c)


def book(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rectangle((160, 60, 320, 330), fill=c, outline=o, width=5)
    d.rectangle((160, 60, 185, 330), fill=_shade(c, 0.7))
    d.rectangle((205, 110, 300, 130), fill="#ffffff")
    d.rectangle((205, 145, 280, 158), fill="#ffffff")


def bottle(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((180, 140, 300, 330), radius=26, fill=c, outline=o, width=5)
    d.rectangle((215, 80, 265, 140), fill=_shade(c, 0.75), outline=o, width=3)
    d.rounded_rectangle((200, 200, 280, 270), radius=6, fill="#ffffff")


def tube(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.polygon([(190, 60), (290, 60), (300, 280), (180, 280)], fill=c, outline=o, width=5)
    d.rounded_rectangle((205, 280, 275, 330), radius=8, fill=_shade(c, 0.7), outline=o, width=3)


def lipstick(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rectangle((200, 190, 280, 330), fill="#c9a24a", outline="#6b5420", width=4)
    d.polygon([(210, 190), (270, 190), (270, 110), (210, 140)], fill=c, outline=o, width=3)


def ball(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.ellipse((140, 80, 340, 280), fill=c, outline=o, width=5)
    d.line((240, 80, 240, 280), fill=o, width=4)
    d.line((140, 180, 340, 180), fill=o, width=4)
    d.arc((100, 100, 220, 260), 300, 60, fill=o, width=4)
    d.arc((260, 100, 380, 260), 120, 240, fill=o, width=4)


def racket(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.ellipse((170, 50, 310, 220), fill="#ffffff", outline=c, width=12)
    for x in range(190, 300, 18):
        d.line((x, 65, x, 205), fill="#b9b9c3", width=1)
    d.line((240, 220, 240, 330), fill=c, width=14)


def mat(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((110, 200, 370, 290), radius=10, fill=c, outline=o, width=4)
    d.ellipse((300, 140, 380, 300), fill=_shade(c, 0.85), outline=o, width=4)


def dumbbell(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rectangle((170, 190, 310, 210), fill="#8a8a96")
    for x in (130, 310):
        d.rounded_rectangle((x, 140, x + 40, 260), radius=8, fill=c, outline=o, width=4)


def tent(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.polygon([(240, 70), (380, 320), (100, 320)], fill=c, outline=o, width=5)
    d.polygon([(240, 180), (280, 320), (200, 320)], fill=_shade(c, 0.6))


def backpack(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((160, 80, 320, 330), radius=40, fill=c, outline=o, width=5)
    d.rounded_rectangle((185, 210, 295, 300), radius=14, fill=_shade(c, 0.8), outline=o, width=3)
    d.arc((200, 40, 280, 110), 180, 360, fill=o, width=8)


def flask(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((195, 100, 285, 330), radius=26, fill=c, outline=o, width=5)
    d.rounded_rectangle((200, 65, 280, 105), radius=8, fill=_shade(c, 0.7), outline=o, width=3)


def blocks(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    for (x, y), colour in zip(
        ((150, 240), (250, 240), (200, 160), (200, 80)), (c, "#e9cf3c", "#4f8fd6", c), strict=True
    ):
        d.rectangle((x, y, x + 90, y + 80), fill=colour, outline=o, width=4)
        d.ellipse((x + 15, y - 12, x + 40, y + 6), fill=colour, outline=o, width=2)
        d.ellipse((x + 50, y - 12, x + 75, y + 6), fill=colour, outline=o, width=2)


def puzzle(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    for i, colour in enumerate((c, "#4f8fd6", "#e9cf3c", "#2f6b3a")):
        x, y = 150 + (i % 2) * 95, 90 + (i // 2) * 110
        d.rectangle((x, y, x + 90, y + 105), fill=colour, outline=o, width=3)
        d.ellipse((x + 70, y + 35, x + 110, y + 70), fill=colour)


def car(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((110, 190, 370, 270), radius=20, fill=c, outline=o, width=5)
    d.polygon([(170, 190), (210, 130), (300, 130), (330, 190)], fill=_shade(c, 1.4), outline=o, width=4)
    for x in (140, 290):
        d.ellipse((x, 245, x + 55, 300), fill="#20242c")


def plush(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.ellipse((160, 150, 320, 330), fill=c, outline=o, width=4)
    d.ellipse((180, 60, 300, 180), fill=c, outline=o, width=4)
    for x in (170, 270):
        d.ellipse((x, 45, x + 45, 95), fill=c, outline=o, width=4)
    d.ellipse((210, 100, 222, 112), fill="#20242c")
    d.ellipse((258, 100, 270, 112), fill="#20242c")


def stroller(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.pieslice((140, 80, 320, 260), 180, 360, fill=c, outline=o, width=5)
    d.rectangle((140, 170, 320, 240), fill=c, outline=o, width=5)
    d.line((320, 170, 370, 90), fill=o, width=8)
    for x in (150, 270):
        d.ellipse((x, 260, x + 55, 315), fill="#20242c")


def pen(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.polygon([(150, 300), (330, 90), (355, 112), (175, 322)], fill=c, outline=o, width=4)
    d.polygon([(150, 300), (130, 345), (175, 322)], fill="#c9a24a", outline=o)


def notebook(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rectangle((160, 70, 330, 320), fill=c, outline=o, width=5)
    for y in range(95, 310, 30):
        d.ellipse((148, y, 172, y + 14), outline=o, width=3)
    d.rectangle((200, 130, 300, 170), fill="#ffffff")


def calculator(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((170, 60, 310, 330), radius=16, fill=c, outline=o, width=5)
    d.rectangle((190, 80, 290, 130), fill="#cfe3cf")
    for row in range(4):
        for col in range(3):
            x, y = 190 + col * 35, 150 + row * 42
            d.rounded_rectangle((x, y, x + 28, y + 32), radius=5, fill="#f2f2f2")


def charger(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((180, 120, 300, 280), radius=18, fill=c, outline=o, width=5)
    for x in (212, 256):
        d.rectangle((x, 80, x + 12, 122), fill="#8a8a96")
    d.line((240, 280, 240, 330), fill=o, width=8)


def cable(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.arc((120, 80, 360, 320), 30, 330, fill=c, width=14)
    d.rounded_rectangle((330, 150, 380, 180), radius=6, fill="#8a8a96", outline=o, width=3)


def powerbank(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((150, 100, 330, 320), radius=22, fill=c, outline=o, width=5)
    for i in range(4):
        d.ellipse((195 + i * 25, 280, 210 + i * 25, 295), fill="#4fd67a" if i < 3 else "#ffffff")


def earbuds(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((150, 170, 330, 310), radius=50, fill=c, outline=o, width=5)
    for x in (185, 255):
        d.ellipse((x, 90, x + 45, 140), fill=c, outline=o, width=4)
        d.rectangle((x + 15, 135, x + 30, 190), fill=c, outline=o, width=3)


def case(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((170, 50, 310, 330), radius=30, fill=c, outline=o, width=6)
    d.rounded_rectangle((190, 70, 240, 130), radius=12, fill="#20242c")


def speaker(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((130, 130, 350, 300), radius=60, fill=c, outline=o, width=5)
    for x in (165, 265):
        d.ellipse((x, 170, x + 50, 220), fill=_shade(c, 0.6))


def petbed(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.ellipse((110, 170, 370, 320), fill=c, outline=o, width=5)
    d.ellipse((160, 200, 320, 290), fill=_shade(c, 1.3))


def bedding(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rectangle((110, 150, 370, 300), fill=c, outline=o, width=5)
    d.rounded_rectangle((130, 110, 230, 170), radius=16, fill="#ffffff", outline=o, width=3)
    d.rounded_rectangle((250, 110, 350, 170), radius=16, fill="#ffffff", outline=o, width=3)


def pillow(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rounded_rectangle((120, 130, 360, 280), radius=50, fill=c, outline=o, width=5)


def towel(d: ImageDraw.ImageDraw, c: str, o: str) -> None:
    d.rectangle((150, 90, 330, 320), fill=c, outline=o, width=5)
    for y in (120, 290):
        d.line((150, y, 330, y), fill=_shade(c, 0.7), width=6)


SHAPES: dict[str, Drawer] = {
    name: func
    for name, func in globals().items()
    if callable(func)
    and getattr(func, "__module__", "") == __name__
    and name not in {"render"}
    and not name.startswith("_")
}

_FONTS: dict[int, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if size not in _FONTS:
        _FONTS[size] = ImageFont.load_default(size=size)
    return _FONTS[size]


def render(*, shape: str, colour: str, brand: str, label: str, fmt: str = "WEBP") -> bytes:
    """A 480×480 product drawing as WebP (or PNG) bytes."""
    background = _shade(colour, 1.85) if colour.lower() not in ("#f2f2f2", "#eef1f4") else "#dfe6ee"
    image = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(image)
    SHAPES.get(shape, bag)(draw, colour, _outline(colour))
    draw.rectangle((0, 360, SIZE, SIZE), fill="#ffffff")
    draw.text((SIZE // 2, 385), brand[:28], fill="#1b1b1f", font=_font(30), anchor="mm")
    draw.text((SIZE // 2, 435), label[:34], fill="#33333b", font=_font(24), anchor="mm")
    out = io.BytesIO()
    if fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=78, method=0)  # fastest encoder setting: ~3x quicker, ~4 KB
    return out.getvalue()
